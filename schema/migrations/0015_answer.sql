-- 0015_answer: the row every API function answers with.
--
-- gessd reads one shape from every function a request calls (status,
-- problem, body; services/core/req.h "The answer contract"). As a type it
-- is named once: a function RETURNS api_answer and says what it answers in
-- one statement (RETURN core_problem(404, 'not-found')), where OUT
-- parameters took three assignments and a bare RETURN, and the OUT
-- parameter `status` shadowed every column of that name in the body.
CREATE TYPE api_answer AS (status integer, problem text, body json);
