-- 0016_practices: the living repository of practices and lessons learned
-- (issue 15; DESIGN.md §4 and §6).
--
-- A case has revisions: what its author writes is a revision (draft, then
-- submitted), and a curator publishes or rejects it. The case row keeps the
-- published version, the one the public reads and searches, so editing a
-- published case never changes what the public sees until a curator
-- publishes the new revision. Search indexes the published text twice: as
-- `spanish`, which stems inflections, and as `spanish` over unaccent, which
-- finds words typed without their accents (a single unaccent + stem chain
-- would stem the unaccented form and miss the accented one's stem).

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The curator moderates the repository; admin implies it (core/auth.c).
ALTER TABLE accounts DROP CONSTRAINT IF EXISTS accounts_roles_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_roles_check
    CHECK (roles <@ ARRAY['admin', 'organizer', 'followup', 'curator']::text[]);

-- unaccent() is STABLE (its dictionary could change); a generated column
-- and an index need IMMUTABLE. The two-argument form names the dictionary,
-- so the result cannot depend on search_path: that makes the promise true.
CREATE FUNCTION practices_unaccent(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT public.unaccent('public.unaccent'::regdictionary, t)
$$;

-- The controlled list of themes, seeded from the seed documents' words;
-- curators extend it.
CREATE TABLE practice_themes (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z0-9]+(_[a-z0-9]+)*$' AND length(code) <= 40),
    name_es    text NOT NULL CHECK (length(name_es) BETWEEN 1 AND 100),
    name_en    text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO practice_themes (code, name_es, name_en) VALUES
    ('financiamiento', 'Financiamiento', 'Financing'),
    ('economia_circular', 'Economía circular', 'Circular economy'),
    ('gestion_territorial', 'Gestión territorial', 'Territorial management'),
    ('dialogo_multiactor', 'Diálogo multiactor', 'Multi-stakeholder dialogue'),
    ('monitoreo_participativo', 'Monitoreo participativo', 'Participatory monitoring'),
    ('obras_por_impuestos', 'Obras por impuestos', 'Works for taxes'),
    ('bionegocios', 'Bionegocios', 'Biobusiness'),
    ('turismo_sostenible', 'Turismo sostenible', 'Sustainable tourism'),
    ('agua', 'Agua', 'Water'),
    ('conservacion', 'Conservación', 'Conservation'),
    ('gestion_del_conocimiento', 'Gestión del conocimiento', 'Knowledge management'),
    ('relaciones_comunitarias', 'Relaciones comunitarias', 'Community relations');

-- Peru's 25 departments (INEI UBIGEO, two digits; Lima includes Lima
-- Metropolitana). A province (4 digits) or district (6 digits) code is
-- checked by its format and its department.
CREATE TABLE practice_departments (
    code char(2) PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO practice_departments (code, name) VALUES
    ('01', 'Amazonas'), ('02', 'Áncash'), ('03', 'Apurímac'), ('04', 'Arequipa'),
    ('05', 'Ayacucho'), ('06', 'Cajamarca'), ('07', 'Callao'), ('08', 'Cusco'),
    ('09', 'Huancavelica'), ('10', 'Huánuco'), ('11', 'Ica'), ('12', 'Junín'),
    ('13', 'La Libertad'), ('14', 'Lambayeque'), ('15', 'Lima'), ('16', 'Loreto'),
    ('17', 'Madre de Dios'), ('18', 'Moquegua'), ('19', 'Pasco'), ('20', 'Piura'),
    ('21', 'Puno'), ('22', 'San Martín'), ('23', 'Tacna'), ('24', 'Tumbes'),
    ('25', 'Ucayali');

CREATE TABLE practices (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    author_id         uuid REFERENCES accounts ON DELETE SET NULL,
    -- draft/submitted/rejected: never published yet; published: public;
    -- hidden: published, then reported 3 times, pending a curator;
    -- withdrawn: taken down by a curator
    status            text NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft', 'submitted', 'published', 'rejected', 'hidden',
                                        'withdrawn')),
    -- the published version (NULL until the first publication): what the
    -- public reads, searches, exports
    published         jsonb,
    published_at      timestamptz,
    revision          integer NOT NULL DEFAULT 0, -- the published revision's number
    kind              text GENERATED ALWAYS AS (published ->> 'kind') STORED,
    stage             text GENERATED ALWAYS AS (published ->> 'stage') STORED,
    edition_id        uuid REFERENCES editions ON DELETE SET NULL,
    themes            text[] NOT NULL DEFAULT '{}',
    sectors           text[] NOT NULL DEFAULT '{}',
    territories       text[] NOT NULL DEFAULT '{}', -- UBIGEO or ISO 3166-1 alpha-2
    departments       text[] NOT NULL DEFAULT '{}', -- the facet: UBIGEO's first two digits, or the country
    sdgs              integer[] NOT NULL DEFAULT '{}',
    organization_ids  uuid[] NOT NULL DEFAULT '{}',
    pact_id           uuid REFERENCES pacts ON DELETE SET NULL,
    search_text       text NOT NULL DEFAULT '',  -- title, summary and the long texts, capped
    search_es         tsvector GENERATED ALWAYS AS (to_tsvector('spanish', search_text)) STORED,
    search_unaccent   tsvector GENERATED ALWAYS AS
                      (to_tsvector('spanish', practices_unaccent(search_text))) STORED,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- a case the public has seen keeps its published version; before the
    -- first publication the case's status is its first revision's
    CHECK (status NOT IN ('published', 'hidden', 'withdrawn') OR published IS NOT NULL)
);
CREATE INDEX practices_search_es ON practices USING gin (search_es) WHERE status = 'published';
CREATE INDEX practices_search_unaccent ON practices USING gin (search_unaccent)
    WHERE status = 'published';
CREATE INDEX practices_published_at ON practices (published_at DESC, id) WHERE status = 'published';
CREATE INDEX practices_themes ON practices USING gin (themes) WHERE status = 'published';
CREATE INDEX practices_author ON practices (author_id);

-- Every version a case had: the author's drafts and submissions, and what
-- curators decided. The latest undecided one is the case's working copy.
CREATE TABLE practice_revisions (
    practice_id  uuid NOT NULL REFERENCES practices ON DELETE CASCADE,
    number       integer NOT NULL CHECK (number >= 1),
    content      jsonb NOT NULL,
    status       text NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'submitted', 'published', 'rejected', 'superseded')),
    author_id    uuid REFERENCES accounts ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    reviewer_id  uuid REFERENCES accounts ON DELETE SET NULL,
    reviewed_at  timestamptz,
    comment      text CHECK (length(comment) <= 2000),
    PRIMARY KEY (practice_id, number)
);

-- One report per account and case; three distinct open reports hide it.
CREATE TABLE practice_reports (
    practice_id uuid NOT NULL REFERENCES practices ON DELETE CASCADE,
    account_id  uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    reason      text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    PRIMARY KEY (practice_id, account_id)
);

-- Curators' decisions on reported cases (restore or withdraw).
CREATE TABLE practice_moderation (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    practice_id uuid NOT NULL REFERENCES practices ON DELETE CASCADE,
    action      text NOT NULL CHECK (action IN ('restore', 'withdraw')),
    comment     text NOT NULL CHECK (length(comment) BETWEEN 1 AND 2000),
    curator_id  uuid REFERENCES accounts ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Where a case was replicated, and by whom.
CREATE TABLE practice_adoptions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    practice_id     uuid NOT NULL REFERENCES practices ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations,
    territory       text NOT NULL CHECK (territory ~ '^([0-9]{2}|[0-9]{4}|[0-9]{6}|[A-Z]{2})$'),
    note            text CHECK (length(note) <= 2000),
    created_by      uuid REFERENCES accounts ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (practice_id, organization_id, territory)
);

-- Curators' synonyms, applied with ts_rewrite in both normalizations.
CREATE TABLE practice_synonyms (
    term  text PRIMARY KEY CHECK (length(term) BETWEEN 1 AND 100),
    means text NOT NULL CHECK (length(means) BETWEEN 1 AND 200)
);

-- The surface words of published cases, for "did you mean" (pg_trgm):
-- real words, never stems.
CREATE TABLE practice_words (
    word text PRIMARY KEY,
    uses integer NOT NULL DEFAULT 1
);
CREATE INDEX practice_words_trgm ON practice_words USING gin (word gin_trgm_ops);

GRANT SELECT, INSERT, UPDATE ON practice_themes, practices, practice_revisions, practice_reports,
    practice_moderation, practice_adoptions TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON practice_synonyms, practice_words TO gess_app;
GRANT SELECT ON practice_departments TO gess_app;
