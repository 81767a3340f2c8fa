-- practices.sql — the living repository of practices: cases and their
-- revisions, review, reports and moderation, adoptions, themes, synonyms
-- and search (tables: schema/migrations/0016_practices.sql).

-- The text search reads: title, summary and every long text of the
-- published version, building blocks too, capped so that one very long
-- case cannot make indexing or ts_headline slow (a case is a few thousand
-- words; 100,000 characters is far beyond it).
CREATE OR REPLACE FUNCTION practices_search_text(c jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT left(concat_ws(E'\n',
                          c ->> 'title', c ->> 'summary', c ->> 'context', c ->> 'challenges',
                          c ->> 'what_worked', c ->> 'what_did_not', c ->> 'results',
                          c ->> 'enabling_factors', c ->> 'replicability',
                          (SELECT string_agg(concat_ws(E'\n', b ->> 'title', b ->> 'description',
                                                       b ->> 'enabling_factors', b ->> 'lessons'),
                                             E'\n')
                             FROM jsonb_array_elements(coalesce(c -> 'building_blocks', '[]')) b)),
                100000)
$$;

-- The columns search and facets read, kept from the published version by
-- whoever sets it (a review, a test's fixture): one place decides them.
-- A territory's facet value is its department (UBIGEO's first two digits)
-- or, abroad, its country.
CREATE OR REPLACE FUNCTION practices_published_columns() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    c jsonb := NEW.published;
BEGIN
    IF c IS NULL THEN
        RETURN NEW;
    END IF;
    NEW.themes := ARRAY(SELECT jsonb_array_elements_text(coalesce(c -> 'themes', '[]')));
    NEW.sectors := ARRAY(SELECT jsonb_array_elements_text(coalesce(c -> 'sectors', '[]')));
    NEW.territories := ARRAY(SELECT jsonb_array_elements_text(coalesce(c -> 'territories', '[]')));
    NEW.departments := ARRAY(SELECT DISTINCT CASE WHEN t ~ '^[0-9]' THEN left(t, 2) ELSE t END
                               FROM unnest(NEW.territories) t ORDER BY 1);
    NEW.sdgs := ARRAY(SELECT (jsonb_array_elements_text(coalesce(c -> 'sdgs', '[]')))::integer);
    NEW.organization_ids := ARRAY(SELECT (jsonb_array_elements_text(
                                            coalesce(c -> 'organization_ids', '[]')))::uuid);
    NEW.pact_id := (c ->> 'pact_id')::uuid;
    NEW.edition_id := (SELECT e.id FROM editions e WHERE e.slug = c ->> 'edition');
    NEW.search_text := practices_search_text(c);
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER practices_published_columns
    BEFORE INSERT OR UPDATE OF published ON practices
    FOR EACH ROW EXECUTE FUNCTION practices_published_columns();
