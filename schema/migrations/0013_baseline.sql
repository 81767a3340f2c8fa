-- 0013_baseline: the schema as migrations 0001 to 0012 left it, squashed
-- once when the schema split into migrations and function files (issue 13).
-- replaces: 0001_core 0002_editions_registration 0003_series 0004_programme 0005_schedule 0006_pacts 0007_commitments 0008_pacts_api 0009_pacts_followup 0010_last_admin 0011_contract_fixes 0012_throttle
--
-- A database that has every version above recorded is taken as having this
-- baseline without running it; one that has only some of them is refused,
-- naming the missing ones (gessd migrate). It holds what runs once: tables,
-- constraints, indexes, grants and backfills, and is_timezone, which a CHECK
-- needs while the migration runs. Every other function and trigger lives in
-- schema/functions/<domain>.sql, reloaded by every `gessd migrate`.
--
-- Each section below is what one of the squashed migrations created, with
-- its own comments, in the order it ran. Like every applied migration, this
-- file is never edited: a change is a new migration.

-- ==== 0001_core =====================================================

-- 0001_core: roles, accounts, login tokens and login throttling.
--
-- Migrations run as the owner role named in GESS_DATABASE_URL. gessd serves
-- as gess_app (SET ROLE after connecting), which gets only the DML it needs.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gess_app') THEN
        CREATE ROLE gess_app NOLOGIN;
    END IF;
    -- The owner must be able to SET ROLE gess_app.
    IF NOT pg_has_role(current_user, 'gess_app', 'MEMBER') THEN
        EXECUTE format('GRANT gess_app TO %I', current_user);
    END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO gess_app;
CREATE TABLE accounts (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- normalised (trimmed, lower-case) by gessd; unique below
    email          text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash  text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    full_name      text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    organization   text NOT NULL DEFAULT '' CHECK (length(organization) <= 200),
    -- NULL only for accounts made on the command line (gessd admin create)
    sector         text CHECK (sector IN ('public', 'private', 'academia', 'civil_society',
                                          'community', 'cooperation', 'media')),
    country        text CHECK (country ~ '^[A-Z]{2}$'),
    region         text CHECK (length(region) <= 100),
    roles          text[] NOT NULL DEFAULT '{}'
                   CHECK (roles <@ ARRAY['admin', 'organizer', 'followup']::text[]),
    -- consent to the processing of personal data (Ley 29733), with the
    -- version of the policy the person accepted
    consent_at     timestamptz,
    consent_policy text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_email_key UNIQUE (email)
);
-- Bearer tokens: only a BLAKE2b-256 hash of the token is kept.
CREATE TABLE tokens (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id   uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX tokens_account_idx ON tokens (account_id);
-- Login attempts per key ('e:' email, 'a:' client address) in a fixed
-- window; kept in PostgreSQL so every gessd process shares them.
CREATE TABLE login_attempts (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    count        integer NOT NULL CHECK (count >= 0)
);
GRANT SELECT, INSERT, UPDATE ON accounts TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tokens, login_attempts TO gess_app;

-- ==== 0002_editions_registration ====================================

-- 0002_editions_registration: biennial editions, registration categories
-- with per-mode capacity, custom questions, registrations with waitlist,
-- idempotency keys and the mail outbox.

-- True for a time zone name PostgreSQL knows (IANA names such as
-- America/Lima); used by a CHECK, so a bad name is refused by the database.
CREATE FUNCTION is_timezone(tz text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    PERFORM now() AT TIME ZONE tz;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END
$$;
CREATE TABLE editions (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    slug                   text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'
                                                AND length(slug) <= 64),
    number                 integer NOT NULL CHECK (number >= 1),
    title                  text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    motto                  text NOT NULL DEFAULT '' CHECK (length(motto) <= 300),
    city                   text NOT NULL DEFAULT '' CHECK (length(city) <= 100),
    venue                  text NOT NULL DEFAULT '' CHECK (length(venue) <= 200),
    starts_on              date NOT NULL,
    ends_on                date NOT NULL,
    timezone               text NOT NULL DEFAULT 'America/Lima',
    registration_opens_at  timestamptz NOT NULL,
    registration_closes_at timestamptz NOT NULL,
    status                 text NOT NULL DEFAULT 'draft'
                           CHECK (status IN ('draft', 'published', 'closed', 'archived')),
    previous_id            uuid REFERENCES editions ON DELETE SET NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT editions_slug_key UNIQUE (slug),
    CONSTRAINT editions_number_key UNIQUE (number),
    CONSTRAINT editions_ends_on_check CHECK (ends_on >= starts_on),
    CONSTRAINT editions_window_check CHECK (registration_closes_at > registration_opens_at),
    CONSTRAINT editions_timezone_check CHECK (is_timezone(timezone))
);
CREATE TABLE categories (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id        uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    code              text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description       text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    price_cents       bigint NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
    currency          text NOT NULL DEFAULT 'PEN' CHECK (currency ~ '^[A-Z]{3}$'),
    requires_approval boolean NOT NULL DEFAULT false,
    -- empty: open to every sector
    sectors           text[] NOT NULL DEFAULT '{}'
                      CHECK (sectors <@ ARRAY['public', 'private', 'academia', 'civil_society',
                                              'community', 'cooperation', 'media']::text[]),
    position          integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT categories_code_key UNIQUE (edition_id, code)
);
-- One row per attendance mode a category offers. `taken` counts the seats
-- held (confirmed, pending, checked_in); the CHECK makes overselling
-- impossible whatever the C code does.
CREATE TABLE category_modes (
    category_id uuid NOT NULL REFERENCES categories ON DELETE CASCADE,
    mode        text NOT NULL CHECK (mode IN ('in_person', 'online')),
    capacity    integer CHECK (capacity >= 0),  -- NULL: unlimited
    taken       integer NOT NULL DEFAULT 0 CHECK (taken >= 0),
    PRIMARY KEY (category_id, mode),
    CONSTRAINT category_modes_not_oversold CHECK (capacity IS NULL OR taken <= capacity)
);
CREATE TABLE questions (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    code       text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
    label      text NOT NULL CHECK (length(label) BETWEEN 1 AND 300),
    type       text NOT NULL CHECK (type IN ('text', 'choice', 'yes_no')),
    choices    text[] NOT NULL DEFAULT '{}',
    required   boolean NOT NULL DEFAULT false,
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT questions_code_key UNIQUE (edition_id, code),
    CHECK ((type = 'choice') = (cardinality(choices) > 0))
);
CREATE TABLE registrations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id    uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    -- NULL once the person erased their account (DELETE /v1/me): the row
    -- stays so statistics stay right
    account_id    uuid REFERENCES accounts ON DELETE SET NULL,
    category_id   uuid NOT NULL,
    mode          text NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'confirmed', 'waitlisted',
                                                  'rejected', 'cancelled', 'checked_in')),
    badge_code    text NOT NULL CHECK (badge_code ~ '^[2-9A-HJ-NP-Z]{10}$'),
    answers       jsonb NOT NULL DEFAULT '{}',
    sector        text,  -- the person's sector when registering, for statistics
    paid          boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    checked_in_at timestamptz,
    decided_at    timestamptz,
    decided_by    uuid REFERENCES accounts ON DELETE SET NULL,
    reason        text CHECK (length(reason) <= 1000),
    CONSTRAINT registrations_badge_key UNIQUE (badge_code),
    FOREIGN KEY (category_id, mode) REFERENCES category_modes (category_id, mode)
);
-- One live registration per person and edition; after a cancellation or a
-- rejection the person may register again.
CREATE UNIQUE INDEX registrations_one_live ON registrations (edition_id, account_id)
    WHERE status NOT IN ('cancelled', 'rejected');
CREATE INDEX registrations_waitlist ON registrations (category_id, mode, created_at, id)
    WHERE status = 'waitlisted';
CREATE INDEX registrations_edition ON registrations (edition_id, created_at, id);
CREATE INDEX registrations_account ON registrations (account_id);
-- Idempotency-Key of POST .../registrations: the first 201 answer, replayed
-- byte for byte for 24 hours.
CREATE TABLE idempotency_keys (
    account_id   uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    key          text NOT NULL,
    request_hash bytea NOT NULL,
    status       integer NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, key)
);
-- Mail (and later webhooks) to send, written in the transaction of the
-- change that causes it; a sender delivers and marks sent_at.
CREATE TABLE outbox (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       text NOT NULL,
    account_id uuid REFERENCES accounts ON DELETE SET NULL,
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON editions, categories, category_modes, questions, registrations
    TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO gess_app;
GRANT SELECT, INSERT, UPDATE ON outbox TO gess_app;
GRANT DELETE ON accounts TO gess_app;

-- ==== 0003_series ===================================================

-- 0003_series: "Rumbo al GESS", the events that lead up to an edition
-- (webinars, workshops, site visits, meetings, round tables), with per-mode
-- capacity, RSVPs, attendance and recurring events.
--
-- Capacity works like category_modes: `taken` counts the RSVPs of a mode,
-- raised by a guarded UPDATE ... WHERE taken < capacity in series_rsvp and
-- lowered by a trigger whenever an RSVP row goes (DELETE rsvp, or an
-- account erased with its RSVPs), so it stays right whoever deletes; the
-- CHECK makes overselling impossible whatever the callers do.

CREATE TABLE series_events (
    id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id            uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    title                 text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description           text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    kind                  text NOT NULL CHECK (kind IN ('webinar', 'workshop', 'site_visit',
                                                        'meeting', 'roundtable')),
    format                text NOT NULL CHECK (format IN ('online', 'in_person', 'hybrid')),
    starts_at             timestamptz NOT NULL,
    ends_at               timestamptz NOT NULL,
    location              text NOT NULL DEFAULT '' CHECK (length(location) <= 300),
    -- shown only to organizers and to people holding an RSVP
    online_url            text CHECK (length(online_url) <= 500),
    theme                 text NOT NULL DEFAULT '' CHECK (length(theme) <= 200),
    partner_organizations text[] NOT NULL DEFAULT '{}',
    -- the occurrences made by one POST .../series-events/recurring share it
    recurrence_id         uuid,
    status                text NOT NULL DEFAULT 'scheduled'
                          CHECK (status IN ('scheduled', 'cancelled')),
    -- iCalendar SEQUENCE: raised by every change a calendar should pick up
    sequence              integer NOT NULL DEFAULT 0,
    created_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT series_events_ends_check CHECK (ends_at > starts_at)
);
CREATE INDEX series_events_edition ON series_events (edition_id, starts_at, id);
CREATE INDEX series_events_recurrence ON series_events (recurrence_id)
    WHERE recurrence_id IS NOT NULL;
CREATE TABLE series_event_modes (
    event_id uuid NOT NULL REFERENCES series_events ON DELETE CASCADE,
    mode     text NOT NULL CHECK (mode IN ('in_person', 'online')),
    capacity integer CHECK (capacity >= 0),  -- NULL: unlimited
    taken    integer NOT NULL DEFAULT 0 CHECK (taken >= 0),
    PRIMARY KEY (event_id, mode),
    CONSTRAINT series_event_modes_not_oversold CHECK (capacity IS NULL OR taken <= capacity)
);
CREATE TABLE series_rsvps (
    event_id   uuid NOT NULL,
    account_id uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    mode       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (event_id, account_id),
    FOREIGN KEY (event_id, mode) REFERENCES series_event_modes (event_id, mode)
        ON DELETE CASCADE
);
CREATE INDEX series_rsvps_account ON series_rsvps (account_id);
-- Who came, once per event and person (by account, or by the congress
-- badge of a registration of the same edition).
CREATE TABLE series_attendance (
    event_id        uuid NOT NULL REFERENCES series_events ON DELETE CASCADE,
    account_id      uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    mode            text NOT NULL CHECK (mode IN ('in_person', 'online')),
    via             text NOT NULL CHECK (via IN ('account', 'badge')),
    registration_id uuid REFERENCES registrations ON DELETE SET NULL,
    recorded_by     uuid REFERENCES accounts ON DELETE SET NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (event_id, account_id)
);
CREATE INDEX series_attendance_account ON series_attendance (account_id);
GRANT SELECT, INSERT, UPDATE ON series_events TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON series_event_modes TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON series_rsvps TO gess_app;
GRANT SELECT, INSERT ON series_attendance TO gess_app;

-- ==== 0004_programme ================================================

-- 0004_programme: the congress programme as organizers draft it (rooms,
-- tracks, speakers, sessions), reservations for capacity-limited sessions,
-- personal agendas, and the published schedule releases (filled by the
-- schedule module, 0005).
--
-- No room and no speaker is in two sessions at once: EXCLUDE constraints
-- over tstzrange (btree_gist gives the = operator class for uuid). An
-- exclusion constraint cannot span a join, so session_speakers carries a
-- copy of its session's time range, kept in step by a trigger.

-- btree_gist is a trusted extension (PostgreSQL 13+): the owner role that
-- runs migrations may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE rooms (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    capacity   integer CHECK (capacity >= 0),  -- NULL: not limited
    notes      text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    -- daily opening hours (local time of the edition); both or neither
    opens_at   time,
    closes_at  time,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rooms_name_key UNIQUE (edition_id, name),
    CONSTRAINT rooms_hours_check CHECK ((opens_at IS NULL) = (closes_at IS NULL)
                                        AND (opens_at IS NULL OR closes_at > opens_at))
);
CREATE TABLE tracks (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    color      text NOT NULL DEFAULT '#1f6f5c' CHECK (color ~ '^#[0-9a-f]{6}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tracks_name_key UNIQUE (edition_id, name)
);
-- An account (its name, organisation and sector copied when added, so the
-- programme keeps its wording) or a named guest without an account.
CREATE TABLE speakers (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id   uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    account_id   uuid REFERENCES accounts ON DELETE SET NULL,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    organization text NOT NULL DEFAULT '' CHECK (length(organization) <= 200),
    sector       text CHECK (sector IN ('public', 'private', 'academia', 'civil_society',
                                        'community', 'cooperation', 'media')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT speakers_account_key UNIQUE (edition_id, account_id)
);
CREATE TABLE sessions (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id           uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    title                text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    abstract             text NOT NULL DEFAULT '' CHECK (length(abstract) <= 10000),
    kind                 text NOT NULL CHECK (kind IN ('keynote', 'panel', 'mesa_tematica',
                                                       'workshop', 'talk', 'break')),
    track_id             uuid REFERENCES tracks ON DELETE SET NULL,
    room_id              uuid REFERENCES rooms ON DELETE SET NULL,
    starts_at            timestamptz NOT NULL,
    ends_at              timestamptz NOT NULL,
    during               tstzrange GENERATED ALWAYS AS (tstzrange(starts_at, ends_at, '[)'))
                         STORED,
    language             text NOT NULL DEFAULT 'es'
                         CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$'),
    capacity             integer CHECK (capacity >= 0),  -- NULL: not limited
    reservation_required boolean NOT NULL,
    -- seats held by reservations; only a guarded update changes it upward
    reserved             integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    -- soft delete: a release can still tell people a session was removed
    deleted_at           timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sessions_times_check CHECK (ends_at > starts_at),
    CONSTRAINT sessions_not_overbooked CHECK (capacity IS NULL OR reserved <= capacity),
    CONSTRAINT sessions_room_free EXCLUDE USING gist (room_id WITH =, during WITH &&)
        WHERE (deleted_at IS NULL AND room_id IS NOT NULL)
);
CREATE INDEX sessions_edition ON sessions (edition_id, starts_at);
-- `during` is a copy of the session's, so the constraint can see it.
CREATE TABLE session_speakers (
    session_id uuid NOT NULL REFERENCES sessions ON DELETE CASCADE,
    speaker_id uuid NOT NULL REFERENCES speakers ON DELETE CASCADE,
    during     tstzrange NOT NULL,
    PRIMARY KEY (session_id, speaker_id),
    CONSTRAINT session_speakers_free EXCLUDE USING gist (speaker_id WITH =, during WITH &&)
);
CREATE INDEX session_speakers_speaker ON session_speakers (speaker_id);
CREATE TABLE reservations (
    session_id uuid NOT NULL REFERENCES sessions ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, account_id)
);
CREATE INDEX reservations_account ON reservations (account_id);
CREATE TABLE agenda_items (
    account_id uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    session_id uuid NOT NULL REFERENCES sessions ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, session_id)
);
CREATE INDEX agenda_items_session ON agenda_items (session_id);
-- A published programme: content is the whole schedule as the public sees
-- it (shape in the schedule module), changes what differs from the
-- previous version.
CREATE TABLE schedule_releases (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id   uuid NOT NULL REFERENCES editions ON DELETE CASCADE,
    version      integer NOT NULL CHECK (version >= 1),
    comment      text NOT NULL DEFAULT '' CHECK (length(comment) <= 2000),
    content      jsonb NOT NULL,
    changes      jsonb NOT NULL DEFAULT '{}',
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by uuid REFERENCES accounts ON DELETE SET NULL,
    CONSTRAINT schedule_releases_version_key UNIQUE (edition_id, version)
);
GRANT SELECT, INSERT, UPDATE ON rooms, tracks, speakers, sessions TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON session_speakers, reservations, agenda_items TO gess_app;
GRANT SELECT, INSERT ON schedule_releases TO gess_app;

-- ==== 0005_schedule =================================================

GRANT SELECT, INSERT ON schedule_releases TO gess_app;
GRANT SELECT, INSERT ON outbox TO gess_app;

-- ==== 0006_pacts ====================================================

-- 0006_pacts: the pacts signed at a congress and their follow-up between
-- editions ("compromiso asumido, compromiso cumplido"): organizations,
-- pacts, parties and their contacts, commitments (one level of
-- sub-commitments), indicators with baseline and target, measurements
-- reviewed before they count, milestones, and an audit trail.
--
-- This file holds the tables, the audit trigger and the progress
-- arithmetic every reader shares; the request functions live in the
-- migrations after it.
--
-- Progress (DESIGN.md §6) is computed here, never stored, so it cannot
-- drift from the rows it comes from:
--   indicator:  (latest verified value - baseline) / (target - baseline),
--               clipped to 0..1. The CHECKs below make target - baseline
--               positive for `up` and negative for `down`, so one formula
--               honours both directions. No verified value yet: 0.
--   commitment: the mean of its indicators; with none, milestones done over
--               milestones; with neither, the mean of its live
--               sub-commitments; with nothing at all, 1 from the day the
--               follow-up team set it `done` (a status change with its
--               reason, in the audit trail: that is its evidence), else 0.
--   pact:       the mean of its top-level commitments that are not
--               `dropped` (as of the day asked: one dropped later still
--               counted then); 0 with none.
-- `evidence` says whether anything counted: a verified measurement or a
-- milestone done (completion `no_evidence` otherwise), taken from the same
-- source as the progress.

CREATE TABLE organizations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sector     text NOT NULL CHECK (sector IN ('public', 'private', 'academia', 'civil_society',
                                               'community', 'cooperation', 'media')),
    -- RUC in Peru (11 digits); other countries' ids are allowed, so only
    -- the shape is checked: uniqueness is what matters
    tax_id     text CHECK (tax_id ~ '^[A-Za-z0-9-]{4,20}$'),
    region     text NOT NULL DEFAULT '' CHECK (length(region) <= 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- one record per organization: the same name in any letter case is the same one
CREATE UNIQUE INDEX organizations_name_key ON organizations (lower(name));
CREATE UNIQUE INDEX organizations_tax_id_key ON organizations (tax_id) WHERE tax_id IS NOT NULL;
-- An account keeps the organization as typed at sign-up and may also link
-- the record (DESIGN.md §6).
ALTER TABLE accounts ADD COLUMN organization_id uuid REFERENCES organizations ON DELETE SET NULL;
ALTER TABLE speakers ADD COLUMN organization_id uuid REFERENCES organizations ON DELETE SET NULL;
CREATE TABLE pacts (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    edition_id  uuid NOT NULL REFERENCES editions ON DELETE RESTRICT,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary     text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
    -- the full text, or a link to it (or both)
    text        text NOT NULL DEFAULT '' CHECK (length(text) <= 100000),
    text_url    text CHECK (text_url ~ '^https?://' AND length(text_url) <= 500),
    signed_on   date,
    status      text NOT NULL DEFAULT 'draft'
                CHECK (status IN ('draft', 'signed', 'in_progress', 'completed', 'lapsed')),
    created_by  uuid REFERENCES accounts ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- a pact is public from signature on: it needs the date it was signed
    CONSTRAINT pacts_signed_check CHECK (status = 'draft' OR signed_on IS NOT NULL)
);
CREATE INDEX pacts_edition ON pacts (edition_id, created_at, id);
CREATE TABLE pact_parties (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pact_id         uuid NOT NULL REFERENCES pacts ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE RESTRICT,
    role            text NOT NULL
                    CHECK (role IN ('signatory', 'responsible', 'co_responsible', 'verifier')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pact_parties_key UNIQUE (pact_id, organization_id, role)
);
CREATE INDEX pact_parties_organization ON pact_parties (organization_id);
-- The people who speak for a party: they submit measurements for the
-- commitments their organization is responsible or co-responsible for, and
-- a verifier's contacts review them.
CREATE TABLE pact_party_contacts (
    party_id   uuid NOT NULL REFERENCES pact_parties ON DELETE CASCADE,
    account_id uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    PRIMARY KEY (party_id, account_id)
);
CREATE INDEX pact_party_contacts_account ON pact_party_contacts (account_id);
CREATE TABLE commitments (
    id                          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    pact_id                     uuid NOT NULL REFERENCES pacts ON DELETE CASCADE,
    -- sub-commitments are one level deep (trigger below)
    parent_id                   uuid REFERENCES commitments ON DELETE CASCADE,
    title                       text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description                 text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    responsible_organization_id uuid REFERENCES organizations ON DELETE RESTRICT,
    starts_on                   date,
    due_on                      date NOT NULL,
    status                      text NOT NULL DEFAULT 'not_started'
                                CHECK (status IN ('not_started', 'on_track', 'at_risk',
                                                  'delayed', 'done', 'dropped')),
    -- why the last status change was made (POST .../status {status, reason})
    status_reason               text NOT NULL DEFAULT '' CHECK (length(status_reason) <= 2000),
    status_changed_at           timestamptz,
    -- carried over from a commitment of an earlier pact (POST .../carry-over)
    carried_from_id             uuid REFERENCES commitments ON DELETE SET NULL,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT commitments_dates_check CHECK (starts_on IS NULL OR due_on >= starts_on),
    -- a status is changed only with a reason (POST .../status, carry-over)
    CONSTRAINT commitments_reason_check
        CHECK (status_changed_at IS NULL OR btrim(status_reason) <> '')
);
CREATE INDEX commitments_pact ON commitments (pact_id, created_at, id);
CREATE INDEX commitments_parent ON commitments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX commitments_open_due ON commitments (due_on) WHERE status NOT IN ('done', 'dropped');
CREATE INDEX commitments_carried ON commitments (carried_from_id) WHERE carried_from_id IS NOT NULL;
CREATE TABLE commitment_co_responsibles (
    commitment_id   uuid NOT NULL REFERENCES commitments ON DELETE CASCADE,
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE RESTRICT,
    PRIMARY KEY (commitment_id, organization_id)
);
CREATE TABLE indicators (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    commitment_id  uuid NOT NULL REFERENCES commitments ON DELETE CASCADE,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    unit           text NOT NULL CHECK (length(unit) BETWEEN 1 AND 50),
    baseline_value numeric NOT NULL,
    baseline_on    date NOT NULL,
    target_value   numeric NOT NULL,
    target_on      date NOT NULL,
    direction      text NOT NULL CHECK (direction IN ('up', 'down')),
    -- how a value is checked (source, method, who verifies)
    verification   text NOT NULL DEFAULT '' CHECK (length(verification) <= 2000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT indicators_target_check CHECK (
        (direction = 'up' AND target_value > baseline_value) OR
        (direction = 'down' AND target_value < baseline_value)),
    CONSTRAINT indicators_dates_check CHECK (target_on > baseline_on)
);
CREATE INDEX indicators_commitment ON indicators (commitment_id, created_at, id);
CREATE TABLE measurements (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    indicator_id   uuid NOT NULL REFERENCES indicators ON DELETE CASCADE,
    value          numeric NOT NULL,
    as_of          date NOT NULL,
    -- a link to the evidence, a description of it, or both
    evidence_url   text CHECK (evidence_url ~ '^https?://' AND length(evidence_url) <= 500),
    evidence       text NOT NULL DEFAULT '' CHECK (length(evidence) <= 5000),
    -- only verified values count (participatory monitoring)
    status         text NOT NULL DEFAULT 'submitted'
                   CHECK (status IN ('submitted', 'verified', 'rejected')),
    reported_by    uuid REFERENCES accounts ON DELETE SET NULL,
    reported_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    reviewed_by    uuid REFERENCES accounts ON DELETE SET NULL,
    reviewed_at    timestamptz,
    review_comment text NOT NULL DEFAULT '' CHECK (length(review_comment) <= 2000),
    CONSTRAINT measurements_review_check CHECK (status = 'submitted' OR reviewed_at IS NOT NULL),
    CONSTRAINT measurements_evidence_given CHECK (evidence_url IS NOT NULL OR btrim(evidence) <> ''),
    -- a rejection tells the reporter why
    CONSTRAINT measurements_rejection_check
        CHECK (status <> 'rejected' OR btrim(review_comment) <> '')
);
CREATE INDEX measurements_indicator ON measurements (indicator_id, as_of DESC, reviewed_at DESC)
    WHERE status = 'verified';
CREATE INDEX measurements_all ON measurements (indicator_id, reported_at);
CREATE TABLE milestones (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    commitment_id uuid NOT NULL REFERENCES commitments ON DELETE CASCADE,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    due_on        date NOT NULL,
    done_on       date,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX milestones_commitment ON milestones (commitment_id, due_on, id);
CREATE INDEX milestones_open_due ON milestones (due_on) WHERE done_on IS NULL;
-- The audit trail: one row per insert, change or removal of a pact, party,
-- commitment, indicator, measurement or milestone, written by a trigger in
-- the same transaction. The app role may only insert and read it (GRANT
-- below), and a trigger refuses UPDATE and DELETE for everyone else too.
-- actor_id has no foreign key on purpose: erasing an account must not
-- rewrite history; readers show a removed actor as null.
CREATE TABLE pact_audit (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pact_id   uuid NOT NULL,
    -- party_contact and co_responsible rows are filed under the party or
    -- commitment they belong to (entity_id)
    entity    text NOT NULL CHECK (entity IN ('pact', 'party', 'party_contact', 'commitment',
                                              'co_responsible', 'indicator', 'measurement',
                                              'milestone')),
    entity_id uuid NOT NULL,
    action    text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    actor_id  uuid,
    at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    before    jsonb,
    after     jsonb
);
CREATE INDEX pact_audit_pact ON pact_audit (pact_id, id);
GRANT SELECT, INSERT, UPDATE ON organizations, pacts, commitments, indicators, measurements,
    milestones TO gess_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON pact_parties, pact_party_contacts,
    commitment_co_responsibles TO gess_app;
GRANT SELECT, INSERT ON pact_audit TO gess_app;

-- ==== 0009_pacts_followup ===========================================

-- ---------------------------------------------------------------------------
-- Reminders

-- One row per reminder written: the unique key makes each one once, across
-- runs, restarts and several processes (INSERT ... ON CONFLICT DO NOTHING
-- waits for a concurrent insert of the same key and then skips it). A new
-- due date (a postponed milestone) is a new key, so it is reminded again.
CREATE TABLE pact_reminders (
    kind       text NOT NULL CHECK (kind IN ('milestone_due_soon', 'milestone_overdue',
                                             'commitment_overdue')),
    subject_id uuid NOT NULL,
    due_on     date NOT NULL,
    account_id uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    sent_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, subject_id, due_on, account_id)
);
GRANT SELECT, INSERT ON pact_reminders TO gess_app;

-- ==== 0012_throttle =================================================

-- 0012_throttle: throttling that protects people instead of locking them
-- out (issue 10), the sign-up limit per address, and the housekeeping that
-- keeps tokens, idempotency keys and login attempts from growing forever.
--
-- login_attempts keys (addresses come from req_client_addr(): behind a
-- trusted proxy, the X-Forwarded-For address):
--   'p:<address> <email>'  one email from one address: free for
--                          login_pair_max failures, then an exponential
--                          back-off (login_backoff_s, doubled per failure,
--                          at most login_window_s)
--   'e:<email>'            one email from anywhere: login_max_per_email
--                          failures per login_window_s (distributed guessing)
--   'a:<address>'          one address, any email: login_max_per_address
--                          failures per login_window_s (password spraying)
--   's:<address>'          sign-ups from one address: signup_max_per_address
--                          per login_window_s
-- (An address has no space, so 'p:' keys split unambiguously.)
--
-- An attempt is counted before the password is checked, so concurrent
-- guesses cannot slip past a limit; a success or an attempt that never got
-- its password checked gives it back. A refused (429) attempt changes no
-- count and no time, so it neither counts as a failure nor extends a block.

-- When the last counted attempt of a key happened (the back-off runs from
-- it), and the one before, so that an attempt given back because its
-- password was never checked (503) does not restart a pair's wait.
ALTER TABLE login_attempts ADD COLUMN last_at timestamptz NOT NULL DEFAULT now(),
                           ADD COLUMN prev_at timestamptz;

