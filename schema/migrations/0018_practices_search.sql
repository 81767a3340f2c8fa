-- 0018_practices_search: what search needs beyond 0016 (issue 15).
--
-- Synonyms are kept in both normalizations, as phrases (a multi-word
-- meaning must match as a phrase): `spanish` and `spanish` over unaccent,
-- the two vectors of practices. The snippet's configuration: `spanish`
-- with unaccent before the stemmer, so that ts_headline over the text as
-- written (accents kept) marks the words the unaccented vector matched.
ALTER TABLE practice_synonyms
    ADD COLUMN term_es tsquery GENERATED ALWAYS AS (phraseto_tsquery('spanish', term)) STORED,
    ADD COLUMN means_es tsquery GENERATED ALWAYS AS (phraseto_tsquery('spanish', means)) STORED,
    ADD COLUMN term_un tsquery
        GENERATED ALWAYS AS (phraseto_tsquery('spanish', practices_unaccent(term))) STORED,
    ADD COLUMN means_un tsquery
        GENERATED ALWAYS AS (phraseto_tsquery('spanish', practices_unaccent(means))) STORED;

CREATE TEXT SEARCH CONFIGURATION practices_headline (COPY = pg_catalog.spanish);
ALTER TEXT SEARCH CONFIGURATION practices_headline
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.spanish_stem;

-- The text indexes without a pending list: a bulk publication (a load, the
-- demo) otherwise leaves its entries in the GIN pending list until a vacuum,
-- and every search scans that list (a 10,000-case load made a rare term
-- ten times slower); publications are rare, searches are not.
ALTER INDEX practices_search_es SET (fastupdate = off);
ALTER INDEX practices_search_unaccent SET (fastupdate = off);

-- Facets filter on these arrays.
CREATE INDEX practices_sectors ON practices USING gin (sectors) WITH (fastupdate = off)
    WHERE status = 'published';
CREATE INDEX practices_departments ON practices USING gin (departments) WITH (fastupdate = off)
    WHERE status = 'published';
