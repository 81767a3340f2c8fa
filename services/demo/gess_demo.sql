-- gess_demo.sql — the demo data set that `gessd demo` loads (services/demo/demo.c),
-- drawn from ../shared/context: the GESS 2026 edition (Lima, August 2026; motto of
-- the interview), the next edition GESS 2028 with its "Rumbo al GESS" series and a
-- preliminary programme released, and three pacts signed at GESS 2026 from the
-- three working groups of the Profonanpe roundtable report (financing, circular
-- economy, territorial management), followed until November 2026.
--
-- Not a migration: it is embedded under services/demo/, which `gessd migrate`
-- ignores. demo.c runs it in one transaction, as the owner role, after migrating,
-- with the argon2id hash of a random password (nobody knows it) for the contact
-- accounts in the transaction-local setting gess.demo_password_hash.
--
-- Idempotent: every row has a fixed id and goes in with ON CONFLICT DO NOTHING, so
-- a second run inserts nothing (and the audit triggers, which fire only for rows
-- inserted, record nothing). Rows that clash with data the demo did not make (an
-- edition gess-2026, an organization of the same name, an account with the same
-- email) stop the load with a message before anything is written.
--
-- Dates are fixed, not relative to today: the demo tells the story as of late
-- November 2026 (a sub-commitment and a milestone overdue, two measurements
-- waiting for review, one rejected).
-- Times are America/Lima (UTC-5 all year).
--
-- Ids: 6e55de00-00TT-4000-8000-0000000000NN, TT naming the table:
--   01 editions  02 categories  03 questions  04 series events  05 rooms
--   06 tracks    07 speakers    08 sessions   10 organizations  11 accounts
--   12 pacts     13 parties     14 commitments 15 indicators    16 measurements
--   17 milestones

SET LOCAL client_min_messages = warning;

-- ---------------------------------------------------------------------------
-- Clashes with rows the demo did not make.

CREATE TEMP TABLE demo_org (
    id uuid, name text, sector text, tax_id text, region text
) ON COMMIT DROP;
INSERT INTO demo_org VALUES
    ('6e55de00-0010-4000-8000-000000000001', 'Comité Organizador del GESS', 'civil_society', NULL, 'Lima'),
    ('6e55de00-0010-4000-8000-000000000002', 'Minera Andina del Sur S.A.', 'private', '20612345601', 'Moquegua'),
    ('6e55de00-0010-4000-8000-000000000003', 'Minera Altiplano S.A.C.', 'private', '20612345602', 'Apurímac'),
    ('6e55de00-0010-4000-8000-000000000004', 'Comunidad Campesina Alto Pucará', 'community', NULL, 'Moquegua'),
    ('6e55de00-0010-4000-8000-000000000005', 'Comunidad Campesina Nueva Esperanza de Ccollpa', 'community', NULL, 'Apurímac'),
    ('6e55de00-0010-4000-8000-000000000006', 'Municipalidad Distrital de Alto Pucará', 'public', '20612345603', 'Moquegua'),
    ('6e55de00-0010-4000-8000-000000000007', 'Municipalidad Distrital de Ccollpa', 'public', '20612345604', 'Apurímac'),
    ('6e55de00-0010-4000-8000-000000000008', 'Ministerio de Energía y Minas', 'public', NULL, 'Lima'),
    ('6e55de00-0010-4000-8000-000000000009', 'Universidad Nacional del Sur Andino', 'academia', '20612345605', 'Apurímac'),
    ('6e55de00-0010-4000-8000-000000000010', 'Centro de Estudios en Gestión Social y Territorio', 'academia', NULL, 'Lima'),
    ('6e55de00-0010-4000-8000-000000000011', 'Fondo Ambiental Andino', 'civil_society', '20612345606', 'Lima'),
    ('6e55de00-0010-4000-8000-000000000012', 'Agencia de Cooperación para el Desarrollo Sostenible', 'cooperation', NULL, 'Lima'),
    ('6e55de00-0010-4000-8000-000000000013', 'Red de Monitoreo Ciudadano del Sur', 'civil_society', NULL, 'Moquegua'),
    ('6e55de00-0010-4000-8000-000000000014', 'Asociación de Recicladores de Ccollpa', 'civil_society', NULL, 'Apurímac');

-- The contacts who speak for the parties. They log in with nothing: their
-- password is random and thrown away (an admin may give them roles, or a
-- future password reset may let them in).
CREATE TEMP TABLE demo_account (
    id uuid, email text, full_name text, organization_id uuid, sector text, region text
) ON COMMIT DROP;
INSERT INTO demo_account VALUES
    ('6e55de00-0011-4000-8000-000000000001', 'jorge.salas@demo.gess.example', 'Jorge Salas Villanueva', '6e55de00-0010-4000-8000-000000000002', 'private', 'Moquegua'),
    ('6e55de00-0011-4000-8000-000000000002', 'rosa.huaman@demo.gess.example', 'Rosa Huamán Ccahua', '6e55de00-0010-4000-8000-000000000011', 'civil_society', 'Lima'),
    ('6e55de00-0011-4000-8000-000000000003', 'carmen.ccori@demo.gess.example', 'Carmen Ccori Torres', '6e55de00-0010-4000-8000-000000000013', 'civil_society', 'Moquegua'),
    ('6e55de00-0011-4000-8000-000000000004', 'walter.condori@demo.gess.example', 'Walter Condori Apaza', '6e55de00-0010-4000-8000-000000000007', 'public', 'Apurímac'),
    ('6e55de00-0011-4000-8000-000000000005', 'miguel.paredes@demo.gess.example', 'Miguel Ángel Paredes Ríos', '6e55de00-0010-4000-8000-000000000010', 'academia', 'Lima'),
    ('6e55de00-0011-4000-8000-000000000006', 'lucia.quispe@demo.gess.example', 'Lucía Quispe Mamani', '6e55de00-0010-4000-8000-000000000004', 'community', 'Moquegua'),
    ('6e55de00-0011-4000-8000-000000000007', 'elena.mamani@demo.gess.example', 'Elena Mamani Choque', '6e55de00-0010-4000-8000-000000000006', 'public', 'Moquegua'),
    ('6e55de00-0011-4000-8000-000000000008', 'raul.ticona@demo.gess.example', 'Raúl Ticona Huanca', '6e55de00-0010-4000-8000-000000000003', 'private', 'Apurímac');

DO $$
DECLARE
    clash text;
BEGIN
    SELECT string_agg(format('edition %s (number %s)', e.slug, e.number), ', ') INTO clash
      FROM editions e
     WHERE (e.slug IN ('gess-2026', 'gess-2028') OR e.number IN (1, 2))
       AND e.id NOT IN ('6e55de00-0001-4000-8000-000000000001',
                        '6e55de00-0001-4000-8000-000000000002');
    IF clash IS NULL THEN
        SELECT string_agg(format('organization "%s"', o.name), ', ') INTO clash
          FROM demo_org d JOIN organizations o
            ON (lower(o.name) = lower(d.name) OR o.tax_id = d.tax_id) AND o.id <> d.id;
    END IF;
    IF clash IS NULL THEN
        SELECT string_agg(format('account %s', a.email), ', ') INTO clash
          FROM demo_account d JOIN accounts a ON a.email = d.email AND a.id <> d.id;
    END IF;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'the database already has %, which the demo did not make; '
                        'load the demo into a database without them', clash
            USING ERRCODE = 'unique_violation';
    END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- Editions: GESS 2026 is over; GESS 2028 is published with registration open.

INSERT INTO editions (id, slug, number, title, motto, city, venue, starts_on, ends_on,
                      timezone, registration_opens_at, registration_closes_at, status,
                      previous_id, created_at, updated_at)
VALUES
    ('6e55de00-0001-4000-8000-000000000001', 'gess-2026', 1,
     'GESS 2026 — Congreso de Gestión Social y Sostenibilidad',
     'Confianza que une, gestión que transforma', 'Lima', 'Centro de Convenciones de Lima',
     '2026-08-19', '2026-08-21', 'America/Lima',
     '2025-11-03 09:00-05', '2026-08-18 23:59-05', 'closed', NULL,
     '2025-10-01 10:00-05', '2026-08-24 10:00-05'),
    ('6e55de00-0001-4000-8000-000000000002', 'gess-2028', 2,
     'GESS 2028 — Congreso de Gestión Social y Sostenibilidad',
     'Compromiso asumido, compromiso cumplido', 'Arequipa', 'Sede por confirmar',
     '2028-08-16', '2028-08-18', 'America/Lima',
     '2026-11-02 09:00-05', '2028-08-15 23:59-05', 'published',
     '6e55de00-0001-4000-8000-000000000001',
     '2026-10-05 10:00-05', '2026-11-02 09:00-05')
ON CONFLICT DO NOTHING;

INSERT INTO categories (id, edition_id, code, name, description, price_cents, currency,
                        requires_approval, sectors, position)
VALUES
    ('6e55de00-0002-4000-8000-000000000001', '6e55de00-0001-4000-8000-000000000001',
     'general', 'Participante general',
     'Acceso a las plenarias, las mesas temáticas y la firma de los pactos.',
     95000, 'PEN', false, '{}', 0),
    ('6e55de00-0002-4000-8000-000000000002', '6e55de00-0001-4000-8000-000000000001',
     'comunidad', 'Representante de comunidad',
     'Sin costo para dirigentes y representantes de comunidades campesinas y nativas; '
     'el comité organizador confirma cada inscripción.',
     0, 'PEN', true, '{community}', 1),
    ('6e55de00-0002-4000-8000-000000000003', '6e55de00-0001-4000-8000-000000000001',
     'estudiante', 'Estudiante o docente',
     'Tarifa para estudiantes y docentes universitarios.',
     25000, 'PEN', false, '{academia}', 2),
    ('6e55de00-0002-4000-8000-000000000004', '6e55de00-0001-4000-8000-000000000002',
     'general', 'Participante general',
     'Acceso a las plenarias, las mesas temáticas y la revisión pública de los pactos del GESS 2026.',
     120000, 'PEN', false, '{}', 0),
    ('6e55de00-0002-4000-8000-000000000005', '6e55de00-0001-4000-8000-000000000002',
     'comunidad', 'Representante de comunidad',
     'Sin costo para dirigentes y representantes de comunidades campesinas y nativas; '
     'el comité organizador confirma cada inscripción.',
     0, 'PEN', true, '{community}', 1),
    ('6e55de00-0002-4000-8000-000000000006', '6e55de00-0001-4000-8000-000000000002',
     'estudiante', 'Estudiante o docente',
     'Tarifa para estudiantes y docentes universitarios.',
     30000, 'PEN', false, '{academia}', 2)
ON CONFLICT DO NOTHING;

INSERT INTO category_modes (category_id, mode, capacity)
VALUES
    ('6e55de00-0002-4000-8000-000000000001', 'in_person', 900),
    ('6e55de00-0002-4000-8000-000000000001', 'online', NULL),
    ('6e55de00-0002-4000-8000-000000000002', 'in_person', 150),
    ('6e55de00-0002-4000-8000-000000000002', 'online', NULL),
    ('6e55de00-0002-4000-8000-000000000003', 'in_person', 100),
    ('6e55de00-0002-4000-8000-000000000004', 'in_person', 1200),
    ('6e55de00-0002-4000-8000-000000000004', 'online', NULL),
    ('6e55de00-0002-4000-8000-000000000005', 'in_person', 200),
    ('6e55de00-0002-4000-8000-000000000005', 'online', NULL),
    ('6e55de00-0002-4000-8000-000000000006', 'in_person', 150)
ON CONFLICT DO NOTHING;

INSERT INTO questions (id, edition_id, code, label, type, choices, required, position)
VALUES
    ('6e55de00-0003-4000-8000-000000000001', '6e55de00-0001-4000-8000-000000000002',
     'region', '¿Desde qué región participa?', 'text', '{}', false, 0),
    ('6e55de00-0003-4000-8000-000000000002', '6e55de00-0001-4000-8000-000000000002',
     'mesa', '¿Qué mesa temática le interesa más?', 'choice',
     '{"Sostenibilidad financiera","Economía circular","Gestión social del territorio"}',
     false, 1)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------
-- "Rumbo al GESS": the series of events between editions.

INSERT INTO series_events (id, edition_id, title, description, kind, format, starts_at,
                           ends_at, location, online_url, theme, partner_organizations,
                           created_at, updated_at)
VALUES
    ('6e55de00-0004-4000-8000-000000000001', '6e55de00-0001-4000-8000-000000000001',
     'Rumbo al GESS: la gestión social no es opcional',
     'Conversatorio de lanzamiento: por qué un congreso propio para quienes gestionan '
     'territorio y relaciones comunitarias.',
     'webinar', 'online', '2026-03-12 18:00-05', '2026-03-12 19:30-05', '',
     'https://meet.example.org/rumbo-al-gess-lanzamiento', 'Gestión social',
     '{"Comité Organizador del GESS"}', '2026-02-10 10:00-05', '2026-02-10 10:00-05'),
    ('6e55de00-0004-4000-8000-000000000002', '6e55de00-0001-4000-8000-000000000001',
     'Mesa de trabajo: alianzas para el desarrollo territorial en Moquegua',
     'Encuentro multiactor previo al congreso para recoger experiencias de diálogo en la región.',
     'workshop', 'hybrid', '2026-05-21 09:00-05', '2026-05-21 13:00-05',
     'Moquegua — local comunal de Alto Pucará',
     'https://meet.example.org/rumbo-al-gess-moquegua', 'Gestión social del territorio',
     '{"Red de Monitoreo Ciudadano del Sur","Municipalidad Distrital de Alto Pucará"}',
     '2026-04-20 10:00-05', '2026-04-20 10:00-05'),
    ('6e55de00-0004-4000-8000-000000000003', '6e55de00-0001-4000-8000-000000000002',
     'Lecciones del GESS 2026',
     'Qué dejó la primera edición y cómo se hará el seguimiento público de sus tres pactos.',
     'webinar', 'online', '2026-10-15 18:00-05', '2026-10-15 19:30-05', '',
     'https://meet.example.org/rumbo-al-gess-lecciones', 'Seguimiento de pactos',
     '{"Comité Organizador del GESS"}', '2026-09-20 10:00-05', '2026-09-20 10:00-05'),
    ('6e55de00-0004-4000-8000-000000000004', '6e55de00-0001-4000-8000-000000000002',
     'Rumbo al GESS 2028: ¿cómo van los pactos del GESS 2026?',
     'Las partes de los pactos de financiamiento, economía circular y gestión territorial '
     'presentan sus avances verificados y lo que falta.',
     'webinar', 'online', '2026-12-10 18:00-05', '2026-12-10 19:30-05', '',
     'https://meet.example.org/rumbo-al-gess-pactos', 'Seguimiento de pactos',
     '{"Red de Monitoreo Ciudadano del Sur"}', '2026-11-10 10:00-05', '2026-11-10 10:00-05'),
    ('6e55de00-0004-4000-8000-000000000005', '6e55de00-0001-4000-8000-000000000002',
     'Taller: indicadores claros y verificables de bienestar',
     'Cómo medir y comunicar mejoras reales en el bienestar de la población, con monitoreo '
     'participativo de las comunidades.',
     'workshop', 'hybrid', '2027-03-18 09:00-05', '2027-03-18 13:00-05',
     'Moquegua — auditorio de la Municipalidad Distrital de Alto Pucará',
     'https://meet.example.org/rumbo-al-gess-indicadores', 'Monitoreo participativo',
     '{"Centro de Estudios en Gestión Social y Territorio","Red de Monitoreo Ciudadano del Sur"}',
     '2026-11-10 10:00-05', '2026-11-10 10:00-05'),
    ('6e55de00-0004-4000-8000-000000000006', '6e55de00-0001-4000-8000-000000000002',
     'Visita de aprendizaje: planta comunal de madera plástica de Ccollpa',
     'Recorrido por la planta que transforma envolturas plásticas en postes y bancas, y por '
     'el programa de canje de residuos segregados por abono.',
     'site_visit', 'in_person', '2027-05-20 08:00-05', '2027-05-20 17:00-05',
     'Ccollpa, Apurímac', NULL, 'Economía circular',
     '{"Municipalidad Distrital de Ccollpa","Asociación de Recicladores de Ccollpa"}',
     '2026-11-10 10:00-05', '2026-11-10 10:00-05'),
    ('6e55de00-0004-4000-8000-000000000007', '6e55de00-0001-4000-8000-000000000002',
     'Obras por impuestos y fondos mixtos para el desarrollo local',
     'Cómo integrar fondos públicos, privados y de cooperación internacional para sostener '
     'los proyectos con las comunidades.',
     'webinar', 'online', '2027-07-08 18:00-05', '2027-07-08 19:30-05', '',
     'https://meet.example.org/rumbo-al-gess-financiamiento', 'Sostenibilidad financiera',
     '{"Fondo Ambiental Andino","Agencia de Cooperación para el Desarrollo Sostenible"}',
     '2026-11-10 10:00-05', '2026-11-10 10:00-05')
ON CONFLICT DO NOTHING;

INSERT INTO series_event_modes (event_id, mode, capacity)
VALUES
    ('6e55de00-0004-4000-8000-000000000001', 'online', NULL),
    ('6e55de00-0004-4000-8000-000000000002', 'in_person', 40),
    ('6e55de00-0004-4000-8000-000000000002', 'online', 200),
    ('6e55de00-0004-4000-8000-000000000003', 'online', NULL),
    ('6e55de00-0004-4000-8000-000000000004', 'online', NULL),
    ('6e55de00-0004-4000-8000-000000000005', 'in_person', 60),
    ('6e55de00-0004-4000-8000-000000000005', 'online', 300),
    ('6e55de00-0004-4000-8000-000000000006', 'in_person', 30),
    ('6e55de00-0004-4000-8000-000000000007', 'online', NULL)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------
-- Organizations and the contacts' accounts.

INSERT INTO organizations (id, name, sector, tax_id, region, created_at, updated_at)
SELECT id, name, sector, tax_id, region, '2026-08-15 10:00-05', '2026-08-15 10:00-05'
  FROM demo_org
ON CONFLICT DO NOTHING;

-- verified: the demo's people register for the edition at once
INSERT INTO accounts (id, email, password_hash, full_name, organization, organization_id,
                      sector, country, region, email_verified_at)
SELECT d.id, d.email, current_setting('gess.demo_password_hash'), d.full_name, o.name,
       d.organization_id, d.sector, 'PE', d.region, '2026-08-15 10:00-05'
  FROM demo_account d JOIN demo_org o ON o.id = d.organization_id
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------
-- The GESS 2026 programme, released once.

INSERT INTO rooms (id, edition_id, name, capacity, notes)
VALUES
    ('6e55de00-0005-4000-8000-000000000001', '6e55de00-0001-4000-8000-000000000001',
     'Auditorio principal', 800, 'Plenarias y firma de los pactos'),
    ('6e55de00-0005-4000-8000-000000000002', '6e55de00-0001-4000-8000-000000000001',
     'Sala Moquegua', 150, ''),
    ('6e55de00-0005-4000-8000-000000000003', '6e55de00-0001-4000-8000-000000000001',
     'Sala Apurímac', 150, '')
ON CONFLICT DO NOTHING;

INSERT INTO tracks (id, edition_id, name, color)
VALUES
    ('6e55de00-0006-4000-8000-000000000001', '6e55de00-0001-4000-8000-000000000001',
     'Sostenibilidad financiera', '#1f6f5c'),
    ('6e55de00-0006-4000-8000-000000000002', '6e55de00-0001-4000-8000-000000000001',
     'Economía circular', '#b5651d'),
    ('6e55de00-0006-4000-8000-000000000003', '6e55de00-0001-4000-8000-000000000001',
     'Gestión social del territorio', '#2f5f9f')
ON CONFLICT DO NOTHING;

INSERT INTO speakers (id, edition_id, account_id, name, organization, sector, organization_id)
VALUES
    ('6e55de00-0007-4000-8000-000000000001', '6e55de00-0001-4000-8000-000000000001', NULL,
     'Ana María Valdivia Rojas', 'Comité Organizador del GESS', 'civil_society',
     '6e55de00-0010-4000-8000-000000000001'),
    ('6e55de00-0007-4000-8000-000000000002', '6e55de00-0001-4000-8000-000000000001',
     '6e55de00-0011-4000-8000-000000000002', 'Rosa Huamán Ccahua', 'Fondo Ambiental Andino',
     'civil_society', '6e55de00-0010-4000-8000-000000000011'),
    ('6e55de00-0007-4000-8000-000000000003', '6e55de00-0001-4000-8000-000000000001',
     '6e55de00-0011-4000-8000-000000000004', 'Walter Condori Apaza',
     'Municipalidad Distrital de Ccollpa', 'public', '6e55de00-0010-4000-8000-000000000007'),
    ('6e55de00-0007-4000-8000-000000000004', '6e55de00-0001-4000-8000-000000000001',
     '6e55de00-0011-4000-8000-000000000005', 'Miguel Ángel Paredes Ríos',
     'Centro de Estudios en Gestión Social y Territorio', 'academia',
     '6e55de00-0010-4000-8000-000000000010'),
    ('6e55de00-0007-4000-8000-000000000005', '6e55de00-0001-4000-8000-000000000001',
     '6e55de00-0011-4000-8000-000000000001', 'Jorge Salas Villanueva',
     'Minera Andina del Sur S.A.', 'private', '6e55de00-0010-4000-8000-000000000002')
ON CONFLICT DO NOTHING;

INSERT INTO sessions (id, edition_id, title, abstract, kind, track_id, room_id, starts_at,
                      ends_at, capacity, reservation_required, created_at, updated_at)
VALUES
    ('6e55de00-0008-4000-8000-000000000001', '6e55de00-0001-4000-8000-000000000001',
     'Inauguración: confianza que une, gestión que transforma',
     'Apertura del primer congreso que reúne a quienes gestionan territorio y relaciones '
     'comunitarias: sector público, privado, academia y sociedad civil.',
     'keynote', NULL, '6e55de00-0005-4000-8000-000000000001',
     '2026-08-19 09:00-05', '2026-08-19 10:00-05', NULL, false,
     '2026-07-01 10:00-05', '2026-07-01 10:00-05'),
    ('6e55de00-0008-4000-8000-000000000002', '6e55de00-0001-4000-8000-000000000001',
     'Mesa temática 1: sostenibilidad financiera del modelo de relacionamiento',
     '¿Qué fuentes de financiamiento garantizan la sostenibilidad? Integración de fondos '
     'públicos, privados y de cooperación internacional; obras por impuestos; bionegocios '
     'culturalmente pertinentes.',
     'mesa_tematica', '6e55de00-0006-4000-8000-000000000001',
     '6e55de00-0005-4000-8000-000000000002',
     '2026-08-19 11:00-05', '2026-08-19 13:00-05', NULL, false,
     '2026-07-01 10:00-05', '2026-07-01 10:00-05'),
    ('6e55de00-0008-4000-8000-000000000003', '6e55de00-0001-4000-8000-000000000001',
     'Mesa temática 2: economía circular en las comunidades del entorno minero',
     'Segregación en origen, valorización de residuos, madera plástica y fertilizantes a '
     'partir de relaves; modelos de negocio que aseguren la sostenibilidad.',
     'mesa_tematica', '6e55de00-0006-4000-8000-000000000002',
     '6e55de00-0005-4000-8000-000000000003',
     '2026-08-19 11:00-05', '2026-08-19 13:00-05', NULL, false,
     '2026-07-01 10:00-05', '2026-07-01 10:00-05'),
    ('6e55de00-0008-4000-8000-000000000004', '6e55de00-0001-4000-8000-000000000001',
     'Mesa temática 3: gestión social del territorio y alianzas estratégicas',
     'Participación comunitaria representativa, institucionalización de la confianza y '
     'roles claros entre socios: "compromiso asumido, compromiso cumplido".',
     'mesa_tematica', '6e55de00-0006-4000-8000-000000000003',
     '6e55de00-0005-4000-8000-000000000002',
     '2026-08-20 11:00-05', '2026-08-20 13:00-05', NULL, false,
     '2026-07-01 10:00-05', '2026-07-01 10:00-05'),
    ('6e55de00-0008-4000-8000-000000000005', '6e55de00-0001-4000-8000-000000000001',
     'Taller: diseñar indicadores que comuniquen bienestar',
     'Indicadores claros y verificables, con línea de base y meta, para los compromisos que '
     'se firmarán al cierre del congreso.',
     'workshop', '6e55de00-0006-4000-8000-000000000001',
     '6e55de00-0005-4000-8000-000000000003',
     '2026-08-20 15:00-05', '2026-08-20 17:00-05', 40, true,
     '2026-07-01 10:00-05', '2026-07-01 10:00-05'),
    ('6e55de00-0008-4000-8000-000000000006', '6e55de00-0001-4000-8000-000000000001',
     'Firma de los pactos GESS 2026',
     'Las organizaciones firman los pactos de financiamiento, economía circular y gestión '
     'social del territorio, con compromisos medibles y un seguimiento público hasta el GESS 2028.',
     'panel', NULL, '6e55de00-0005-4000-8000-000000000001',
     '2026-08-21 11:00-05', '2026-08-21 12:30-05', NULL, false,
     '2026-07-01 10:00-05', '2026-07-01 10:00-05')
ON CONFLICT DO NOTHING;

INSERT INTO session_speakers (session_id, speaker_id, during)
SELECT s.id, v.speaker_id, s.during
  FROM (VALUES
        ('6e55de00-0008-4000-8000-000000000001'::uuid, '6e55de00-0007-4000-8000-000000000001'::uuid),
        ('6e55de00-0008-4000-8000-000000000002', '6e55de00-0007-4000-8000-000000000002'),
        ('6e55de00-0008-4000-8000-000000000002', '6e55de00-0007-4000-8000-000000000005'),
        ('6e55de00-0008-4000-8000-000000000003', '6e55de00-0007-4000-8000-000000000003'),
        ('6e55de00-0008-4000-8000-000000000004', '6e55de00-0007-4000-8000-000000000004'),
        ('6e55de00-0008-4000-8000-000000000005', '6e55de00-0007-4000-8000-000000000002'),
        ('6e55de00-0008-4000-8000-000000000006', '6e55de00-0007-4000-8000-000000000001')
       ) v (session_id, speaker_id)
  JOIN sessions s ON s.id = v.session_id
ON CONFLICT DO NOTHING;

SELECT schedule_publish('gess-2026', NULL, 'Programa final del GESS 2026')
 WHERE NOT EXISTS (SELECT 1 FROM schedule_releases
                    WHERE edition_id = '6e55de00-0001-4000-8000-000000000001');

-- The GESS 2028 programme, released once as a preliminary programme: its first
-- two days (16 and 17 August 2028, America/Lima) in four rooms and four tracks,
-- opening with the public review of the GESS 2026 pacts. A room holds one
-- session at a time and a speaker speaks in one at a time: the exclusion
-- constraints on sessions and session_speakers refuse anything else.
INSERT INTO rooms (id, edition_id, name, capacity, notes)
VALUES
    ('6e55de00-0005-4000-8000-000000000004', '6e55de00-0001-4000-8000-000000000002',
     'Auditorio principal', 1000, ''),
    ('6e55de00-0005-4000-8000-000000000005', '6e55de00-0001-4000-8000-000000000002',
     'Sala Misti', 250, 'Mesas temáticas y talleres'),
    ('6e55de00-0005-4000-8000-000000000006', '6e55de00-0001-4000-8000-000000000002',
     'Sala Chachani', 200, 'Mesas temáticas'),
    ('6e55de00-0005-4000-8000-000000000007', '6e55de00-0001-4000-8000-000000000002',
     'Sala Pichu Pichu', 80, 'Talleres; interpretación quechua–castellano')
ON CONFLICT DO NOTHING;

INSERT INTO tracks (id, edition_id, name, color)
VALUES
    ('6e55de00-0006-4000-8000-000000000004', '6e55de00-0001-4000-8000-000000000002',
     'Gestión social del territorio', '#2f5f9f'),
    ('6e55de00-0006-4000-8000-000000000005', '6e55de00-0001-4000-8000-000000000002',
     'Diálogo y prevención de conflictos', '#8a3b6e'),
    ('6e55de00-0006-4000-8000-000000000006', '6e55de00-0001-4000-8000-000000000002',
     'Economía circular', '#b5651d'),
    ('6e55de00-0006-4000-8000-000000000007', '6e55de00-0001-4000-8000-000000000002',
     'Sostenibilidad financiera', '#1f6f5c')
ON CONFLICT DO NOTHING;

-- Made-up people: the demo's contacts (their account linked) and four guests.
INSERT INTO speakers (id, edition_id, account_id, name, organization, sector, organization_id)
VALUES
    ('6e55de00-0007-4000-8000-000000000006', '6e55de00-0001-4000-8000-000000000002', NULL,
     'Ana María Valdivia Rojas', 'Comité Organizador del GESS', 'civil_society',
     '6e55de00-0010-4000-8000-000000000001'),
    ('6e55de00-0007-4000-8000-000000000007', '6e55de00-0001-4000-8000-000000000002',
     '6e55de00-0011-4000-8000-000000000003', 'Carmen Ccori Torres',
     'Red de Monitoreo Ciudadano del Sur', 'civil_society',
     '6e55de00-0010-4000-8000-000000000013'),
    ('6e55de00-0007-4000-8000-000000000008', '6e55de00-0001-4000-8000-000000000002',
     '6e55de00-0011-4000-8000-000000000006', 'Lucía Quispe Mamani',
     'Comunidad Campesina Alto Pucará', 'community', '6e55de00-0010-4000-8000-000000000004'),
    ('6e55de00-0007-4000-8000-000000000009', '6e55de00-0001-4000-8000-000000000002',
     '6e55de00-0011-4000-8000-000000000008', 'Raúl Ticona Huanca', 'Minera Altiplano S.A.C.',
     'private', '6e55de00-0010-4000-8000-000000000003'),
    ('6e55de00-0007-4000-8000-000000000010', '6e55de00-0001-4000-8000-000000000002',
     '6e55de00-0011-4000-8000-000000000007', 'Elena Mamani Choque',
     'Municipalidad Distrital de Alto Pucará', 'public', '6e55de00-0010-4000-8000-000000000006'),
    ('6e55de00-0007-4000-8000-000000000011', '6e55de00-0001-4000-8000-000000000002',
     '6e55de00-0011-4000-8000-000000000002', 'Rosa Huamán Ccahua', 'Fondo Ambiental Andino',
     'civil_society', '6e55de00-0010-4000-8000-000000000011'),
    ('6e55de00-0007-4000-8000-000000000012', '6e55de00-0001-4000-8000-000000000002',
     '6e55de00-0011-4000-8000-000000000005', 'Miguel Ángel Paredes Ríos',
     'Centro de Estudios en Gestión Social y Territorio', 'academia',
     '6e55de00-0010-4000-8000-000000000010'),
    ('6e55de00-0007-4000-8000-000000000013', '6e55de00-0001-4000-8000-000000000002', NULL,
     'Patricia Llerena Cárdenas', 'Ministerio de Energía y Minas', 'public',
     '6e55de00-0010-4000-8000-000000000008'),
    ('6e55de00-0007-4000-8000-000000000014', '6e55de00-0001-4000-8000-000000000002', NULL,
     'Teodoro Huillca Quispe', 'Asociación de Recicladores de Ccollpa', 'civil_society',
     '6e55de00-0010-4000-8000-000000000014'),
    ('6e55de00-0007-4000-8000-000000000015', '6e55de00-0001-4000-8000-000000000002', NULL,
     'Sofía Benavides Chávez', 'Agencia de Cooperación para el Desarrollo Sostenible',
     'cooperation', '6e55de00-0010-4000-8000-000000000012')
ON CONFLICT DO NOTHING;

INSERT INTO sessions (id, edition_id, title, abstract, kind, track_id, room_id, starts_at,
                      ends_at, language, capacity, reservation_required, created_at,
                      updated_at)
SELECT v.id::uuid, '6e55de00-0001-4000-8000-000000000002', v.title, v.abstract, v.kind,
       ('6e55de00-0006-4000-8000-0000000000' || v.track)::uuid,
       ('6e55de00-0005-4000-8000-0000000000' || v.room)::uuid,
       v.starts_at::timestamptz, v.ends_at::timestamptz, v.lang, v.capacity,
       v.capacity IS NOT NULL, v.made::timestamptz, v.made::timestamptz
  FROM (VALUES
        -- Wednesday 16 August 2028
        ('6e55de00-0008-4000-8000-000000000008',
         'Inauguración: compromiso asumido, compromiso cumplido',
         'Apertura de la segunda edición: de la confianza que une a los compromisos que se '
         'cumplen, con las cifras del seguimiento público de los pactos del GESS 2026.',
         'keynote', '04', '04', '2028-08-16 09:00-05', '2028-08-16 10:00-05', 'es',
         NULL::integer, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000007',
         'Revisión pública de los pactos del GESS 2026',
         'Cada pacto firmado en el GESS 2026 presenta su avance desde la firma, con los '
         'indicadores verificados; los compromisos pendientes pueden continuar en los pactos '
         'del GESS 2028.',
         'panel', '04', '04', '2028-08-16 11:00-05', '2028-08-16 13:00-05', 'es',
         NULL, '2026-11-10 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000009',
         'Mesa temática: diálogo multiactor y prevención de conflictos socioambientales',
         'Espacios neutrales de diálogo entre sociedad civil, empresa, Estado y academia: '
         'respeto mutuo, transparencia y compromiso para atender los temas pendientes del '
         'territorio antes de que escalen.',
         'mesa_tematica', '05', '05', '2028-08-16 11:00-05', '2028-08-16 13:00-05', 'es',
         NULL, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000010',
         'Mesa temática: economía circular en las comunidades del entorno minero',
         'Segregación en origen, canje de residuos por abono y madera plástica: modelos de '
         'negocio comunales que se sostienen cuando termina el apoyo inicial.',
         'mesa_tematica', '06', '06', '2028-08-16 11:00-05', '2028-08-16 13:00-05', 'es',
         NULL, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000011',
         'Obras por impuestos y fondos mixtos: financiar el desarrollo más allá de la mina',
         'Integración de fondos públicos, privados y de cooperación internacional; obras por '
         'impuestos y capital semilla para que los proyectos con las comunidades duren más '
         'que una gestión municipal.',
         'panel', '07', '04', '2028-08-16 15:00-05', '2028-08-16 16:30-05', 'es',
         NULL, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000012',
         'Taller: indicadores claros y verificables de bienestar',
         'Línea de base, meta y fuente de verificación: cómo medir y comunicar mejoras reales '
         'en el bienestar de la población para los compromisos de los pactos del GESS 2028.',
         'workshop', '04', '05', '2028-08-16 15:00-05', '2028-08-16 17:00-05', 'es',
         40, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000013',
         'Taller: monitoreo ambiental participativo con las comunidades',
         'Veedores comunales, vigilancia del agua y mesas de seguimiento: cómo la información '
         'compartida previene conflictos y fortalece la confianza.',
         'workshop', '05', '07', '2028-08-16 15:00-05', '2028-08-16 17:00-05', 'es',
         35, '2026-11-20 10:00-05'),
        -- Thursday 17 August 2028
        ('6e55de00-0008-4000-8000-000000000014',
         'Conferencia: la gestión social como herramienta de desarrollo del país',
         'La articulación multisectorial del Estado con empresas, comunidades y academia, y '
         'la continuidad de las políticas públicas entre gestiones.',
         'keynote', '04', '04', '2028-08-17 09:00-05', '2028-08-17 10:00-05', 'es',
         NULL, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000015',
         'Mesa temática: sostenibilidad financiera del modelo de relacionamiento',
         '¿Qué fuentes de financiamiento garantizan la sostenibilidad? Bionegocios y turismo '
         'sostenible culturalmente pertinentes, acceso a mercados y diversificación de '
         'ingresos de las comunidades locales.',
         'mesa_tematica', '07', '05', '2028-08-17 11:00-05', '2028-08-17 13:00-05', 'es',
         NULL, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000016',
         'Mesa temática: gestión social del territorio y planes de vida comunales',
         'Participación comunitaria representativa en la definición de prioridades, sentido '
         'de pertenencia y roles claros entre los socios de una alianza estratégica.',
         'mesa_tematica', '04', '06', '2028-08-17 11:00-05', '2028-08-17 13:00-05', 'es',
         NULL, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000017',
         'Diálogo multiactor en Moquegua: lo que aprendió una comunidad de práctica',
         'De las mesas de diálogo a una comunidad de aprendizaje y práctica en gobernanza '
         'minera: confianza, conocimiento compartido y soluciones prácticas para la región.',
         'panel', '05', '07', '2028-08-17 11:00-05', '2028-08-17 12:30-05', 'es',
         NULL, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000018',
         'Circular economy in mining regions: lessons from abroad',
         'What benefit-sharing and waste-to-value schemes in other mining regions teach the '
         'Peruvian experience, and what Peru has to offer in return. In English, with '
         'Spanish interpretation.',
         'talk', '06', '06', '2028-08-17 15:00-05', '2028-08-17 16:00-05', 'en',
         NULL, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000019',
         'Taller en quechua: vigilancia comunitaria del agua',
         'Taller para dirigentes y monitores comunales, en quechua con apoyo en castellano: '
         'tomar, registrar y comunicar datos del agua que todos puedan verificar.',
         'workshop', '05', '07', '2028-08-17 15:00-05', '2028-08-17 17:00-05', 'qu',
         30, '2026-11-20 10:00-05'),
        ('6e55de00-0008-4000-8000-000000000020',
         'Plenaria: de las mesas a los pactos del GESS 2028',
         'Las relatorías de las mesas temáticas proponen los compromisos, indicadores y '
         'responsables de los pactos que se firmarán al cierre del congreso.',
         'panel', '04', '04', '2028-08-17 17:30-05', '2028-08-17 18:30-05', 'es',
         NULL, '2026-11-20 10:00-05')
       ) v (id, title, abstract, kind, track, room, starts_at, ends_at, lang, capacity, made)
ON CONFLICT DO NOTHING;

-- A demo loaded before GESS 2028 had tracks made the review without one: give
-- it its track before the first release (a no-op on any later run).
UPDATE sessions SET track_id = '6e55de00-0006-4000-8000-000000000004'
 WHERE id = '6e55de00-0008-4000-8000-000000000007' AND track_id IS NULL
   AND NOT EXISTS (SELECT 1 FROM schedule_releases
                    WHERE edition_id = '6e55de00-0001-4000-8000-000000000002');

INSERT INTO session_speakers (session_id, speaker_id, during)
SELECT s.id, ('6e55de00-0007-4000-8000-0000000000' || v.speaker)::uuid, s.during
  FROM (VALUES
        ('08', '06'), ('08', '13'),
        ('07', '07'), ('07', '11'),
        ('09', '10'), ('09', '12'),
        ('10', '09'), ('10', '14'),
        ('11', '09'), ('11', '11'), ('11', '15'),
        ('12', '07'), ('12', '12'),
        ('13', '08'), ('13', '10'),
        ('14', '13'),
        ('15', '11'), ('15', '15'),
        ('16', '08'), ('16', '12'),
        ('17', '07'), ('17', '10'),
        ('18', '15'),
        ('19', '08'),
        ('20', '06'), ('20', '12')
       ) v (session, speaker)
  JOIN sessions s ON s.id = ('6e55de00-0008-4000-8000-0000000000' || v.session)::uuid
ON CONFLICT DO NOTHING;

SELECT schedule_publish('gess-2028', NULL, 'Programa preliminar del GESS 2028')
 WHERE NOT EXISTS (SELECT 1 FROM schedule_releases
                    WHERE edition_id = '6e55de00-0001-4000-8000-000000000002');

-- ---------------------------------------------------------------------------
-- The three pacts signed at GESS 2026. The audit trigger records each row
-- inserted here with a null actor (loaded by the system).

SELECT pact_set_actor(NULL);

INSERT INTO pacts (id, edition_id, title, summary, text, text_url, signed_on, status,
                   created_at, updated_at)
VALUES
    ('6e55de00-0012-4000-8000-000000000001', '6e55de00-0001-4000-8000-000000000001',
     'Pacto por el financiamiento sostenible de proyectos socioambientales',
     'Integrar fondos públicos, privados y de cooperación internacional, y usar las obras por '
     'impuestos, para que los proyectos con las comunidades de Alto Pucará no dependan de una '
     'sola fuente ni de un solo gobierno local.',
     E'Las organizaciones firmantes, reunidas en el GESS 2026,\n\n'
     'CONSIDERANDO que la integración de fondos de diversas fuentes —capital semilla de '
     'empresas privadas, financiamiento público y apoyo de cooperación internacional— es '
     'esencial para la sostenibilidad de largo plazo de los proyectos con las comunidades, y '
     'que el mecanismo de obras por impuestos permite canalizar recursos privados hacia '
     'infraestructura pública que beneficia directamente a la población;\n\n'
     'ACUERDAN:\n'
     '1. Constituir un fondo socioambiental mixto, con un comité en el que participen la '
     'comunidad, la municipalidad, la empresa y la cooperación.\n'
     '2. Ejecutar por obras por impuestos el sistema de agua y saneamiento de Alto Pucará.\n'
     '3. Otorgar capital semilla a bionegocios alineados con el plan de vida comunal.\n'
     '4. Comunicar cada semestre indicadores claros y verificables de bienestar, verificados '
     'por la Red de Monitoreo Ciudadano del Sur.',
     NULL, '2026-08-21', 'in_progress',
     '2026-08-21 12:30-05', '2026-09-01 09:00-05'),
    ('6e55de00-0012-4000-8000-000000000002', '6e55de00-0001-4000-8000-000000000001',
     'Pacto por la economía circular en las comunidades del entorno minero',
     'Segregación en origen con canje de residuos por abono, una planta comunal de madera '
     'plástica y un piloto de fertilizante a partir de relaves, con la comunidad de Ccollpa '
     'integrada en la cadena de valor.',
     E'Las organizaciones firmantes, reunidas en el GESS 2026,\n\n'
     'CONSIDERANDO que la gestión adecuada de los residuos sólidos empieza por su separación '
     'en origen, que la participación comunitaria es clave para la economía circular y que '
     'las tecnologías innovadoras deben ser rentables para sostenerse;\n\n'
     'ACUERDAN:\n'
     '1. Implementar la segregación en origen en el distrito de Ccollpa, con canje de '
     'residuos segregados por abono.\n'
     '2. Instalar una planta comunal de madera plástica operada por la comunidad.\n'
     '3. Desarrollar con la universidad un piloto de fertilizante a partir de la dolomita '
     'de los relaves.',
     NULL, '2026-08-21', 'in_progress',
     '2026-08-21 12:30-05', '2026-09-01 09:00-05'),
    ('6e55de00-0012-4000-8000-000000000003', '6e55de00-0001-4000-8000-000000000001',
     'Pacto por la gestión social del territorio y la confianza institucionalizada',
     'Una plataforma de diálogo donde las partes se comprometen en público y reportan '
     'avances, y un programa de formación de líderes comunitarios con participación de '
     'mujeres y jóvenes.',
     E'Las organizaciones firmantes, reunidas en el GESS 2026,\n\n'
     'CONSIDERANDO que las relaciones basadas en "compromiso asumido, compromiso cumplido" '
     'fortalecen la transparencia y la confianza, que la confianza construida en relaciones '
     'personales debe trasladarse a estructuras institucionales que trasciendan los cambios '
     'de autoridades, y que los roles de cada socio deben definirse de manera explícita;\n\n'
     'ACUERDAN:\n'
     '1. Crear una plataforma de diálogo territorial con sesiones públicas trimestrales de '
     'rendición de avances.\n'
     '2. Formar líderes comunitarios, con participación efectiva de mujeres y jóvenes, y '
     'veedores para el monitoreo participativo.\n'
     '3. Formalizar por escrito los roles, responsabilidades y aportes de cada socio.',
     NULL, '2026-08-21', 'signed',
     '2026-08-21 12:30-05', '2026-08-21 12:30-05')
ON CONFLICT DO NOTHING;

INSERT INTO pact_parties (id, pact_id, organization_id, role, created_at)
SELECT v.id::uuid, v.pact_id::uuid, ('6e55de00-0010-4000-8000-0000000000' || v.org)::uuid,
       v.role, '2026-08-21 12:30-05'
  FROM (VALUES
        -- financing
        ('6e55de00-0013-4000-8000-000000000001', '6e55de00-0012-4000-8000-000000000001', '01', 'signatory'),
        ('6e55de00-0013-4000-8000-000000000002', '6e55de00-0012-4000-8000-000000000001', '08', 'signatory'),
        ('6e55de00-0013-4000-8000-000000000003', '6e55de00-0012-4000-8000-000000000001', '04', 'signatory'),
        ('6e55de00-0013-4000-8000-000000000004', '6e55de00-0012-4000-8000-000000000001', '11', 'responsible'),
        ('6e55de00-0013-4000-8000-000000000005', '6e55de00-0012-4000-8000-000000000001', '02', 'responsible'),
        ('6e55de00-0013-4000-8000-000000000006', '6e55de00-0012-4000-8000-000000000001', '12', 'co_responsible'),
        ('6e55de00-0013-4000-8000-000000000007', '6e55de00-0012-4000-8000-000000000001', '06', 'co_responsible'),
        ('6e55de00-0013-4000-8000-000000000008', '6e55de00-0012-4000-8000-000000000001', '13', 'verifier'),
        -- circular economy
        ('6e55de00-0013-4000-8000-000000000009', '6e55de00-0012-4000-8000-000000000002', '01', 'signatory'),
        ('6e55de00-0013-4000-8000-000000000010', '6e55de00-0012-4000-8000-000000000002', '05', 'signatory'),
        ('6e55de00-0013-4000-8000-000000000011', '6e55de00-0012-4000-8000-000000000002', '07', 'responsible'),
        ('6e55de00-0013-4000-8000-000000000012', '6e55de00-0012-4000-8000-000000000002', '03', 'responsible'),
        ('6e55de00-0013-4000-8000-000000000013', '6e55de00-0012-4000-8000-000000000002', '09', 'co_responsible'),
        ('6e55de00-0013-4000-8000-000000000014', '6e55de00-0012-4000-8000-000000000002', '14', 'co_responsible'),
        ('6e55de00-0013-4000-8000-000000000015', '6e55de00-0012-4000-8000-000000000002', '13', 'verifier'),
        -- territorial management
        ('6e55de00-0013-4000-8000-000000000016', '6e55de00-0012-4000-8000-000000000003', '01', 'signatory'),
        ('6e55de00-0013-4000-8000-000000000017', '6e55de00-0012-4000-8000-000000000003', '08', 'signatory'),
        ('6e55de00-0013-4000-8000-000000000018', '6e55de00-0012-4000-8000-000000000003', '06', 'responsible'),
        ('6e55de00-0013-4000-8000-000000000019', '6e55de00-0012-4000-8000-000000000003', '10', 'responsible'),
        ('6e55de00-0013-4000-8000-000000000020', '6e55de00-0012-4000-8000-000000000003', '02', 'co_responsible'),
        ('6e55de00-0013-4000-8000-000000000021', '6e55de00-0012-4000-8000-000000000003', '04', 'co_responsible'),
        ('6e55de00-0013-4000-8000-000000000022', '6e55de00-0012-4000-8000-000000000003', '13', 'verifier')
       ) v (id, pact_id, org, role)
ON CONFLICT DO NOTHING;

INSERT INTO pact_party_contacts (party_id, account_id)
SELECT ('6e55de00-0013-4000-8000-0000000000' || v.party)::uuid,
       ('6e55de00-0011-4000-8000-0000000000' || v.account)::uuid
  FROM (VALUES
        ('03', '06'), ('04', '02'), ('05', '01'), ('07', '07'), ('08', '03'),
        ('11', '04'), ('12', '08'), ('15', '03'),
        ('18', '07'), ('19', '05'), ('20', '01'), ('21', '06'), ('22', '03')
       ) v (party, account)
ON CONFLICT DO NOTHING;

-- Commitments: TT 14. Financing 01-03 (and 11, a sub-commitment of 02, overdue),
-- circular economy 04-06, territorial 07-10 (09 a sub-commitment of 08).
--
-- Each goes in as signed (not_started) and then moves to its status with its
-- reason, as POST /v1/commitments/{id}/status would do, so the pact history
-- and the review at GESS 2028 show the change (stamped with the time of the
-- load: the audit trail records when rows really changed). The update
-- touches only rows still as inserted, so a second run changes nothing.
CREATE TEMP TABLE demo_commitment ON COMMIT DROP AS
SELECT v.id::uuid AS id, ('6e55de00-0012-4000-8000-00000000000' || v.pact)::uuid AS pact_id,
       v.parent::uuid AS parent_id, v.title, v.description,
       ('6e55de00-0010-4000-8000-0000000000' || v.org)::uuid AS org_id,
       v.starts_on::date AS starts_on, v.due_on::date AS due_on, v.status, v.reason,
       v.changed::timestamptz AS changed
  FROM (VALUES
        ('6e55de00-0014-4000-8000-000000000001', '1', NULL,
         'Constituir el Fondo Socioambiental Alto Pucará con aportes públicos, privados y de cooperación',
         'Un fondo mixto con un comité en el que participan la comunidad, la municipalidad, la '
         'empresa y la cooperación; reglas de acceso públicas.',
         '11', '2026-09-01', '2027-12-31', 'on_track',
         'Los aportes de la empresa y de la cooperación están comprometidos por escrito.',
         '2026-10-05 10:00-05'),
        ('6e55de00-0014-4000-8000-000000000002', '1', NULL,
         'Ejecutar por obras por impuestos el sistema de agua y saneamiento de Alto Pucará',
         'Proyecto priorizado por la municipalidad y financiado por la empresa con cargo a su '
         'impuesto a la renta.',
         '02', '2026-09-01', '2027-10-31', 'at_risk',
         'El convenio de inversión espera el acuerdo del concejo municipal: la firma prevista '
         'para el 15 de noviembre no se realizó.',
         '2026-11-18 16:00-05'),
        ('6e55de00-0014-4000-8000-000000000003', '1', NULL,
         'Capital semilla para bionegocios alineados con el plan de vida comunal',
         'Convocatoria anual para bionegocios y econegocios culturalmente pertinentes, con '
         'acompañamiento técnico y conexión a mercados.',
         '12', '2026-09-15', '2027-12-31', 'on_track',
         'Primera convocatoria adjudicada en noviembre.',
         '2026-11-16 10:00-05'),
        ('6e55de00-0014-4000-8000-000000000004', '2', NULL,
         'Segregación en origen con canje de residuos por abono',
         'Programa distrital de segregación de residuos sólidos en las viviendas; cada familia '
         'canjea residuos segregados por abono de lombricultura.',
         '07', '2026-09-01', '2027-08-31', 'on_track',
         'La participación de las familias supera lo previsto para el primer trimestre.',
         '2026-11-20 10:00-05'),
        ('6e55de00-0014-4000-8000-000000000005', '2', NULL,
         'Planta comunal de madera plástica',
         'Planta que transforma envolturas plásticas en madera plástica (postes, bancas), '
         'operada por la comunidad con asistencia técnica de la universidad.',
         '03', '2026-08-25', '2026-12-31', 'done',
         'Planta inaugurada el 30 de octubre de 2026; produce postes y bancas para el distrito.',
         '2026-10-31 12:00-05'),
        ('6e55de00-0014-4000-8000-000000000006', '2', NULL,
         'Piloto de fertilizante a partir de dolomita de relaves',
         'Investigación aplicada para producir fertilizante con la dolomita de los relaves y '
         'probarlo en parcelas comunales.',
         '09', '2027-03-01', '2028-06-30', 'not_started', '', NULL),
        ('6e55de00-0014-4000-8000-000000000007', '3', NULL,
         'Plataforma de diálogo territorial con sesiones públicas trimestrales',
         'Espacio regular donde las partes se comprometen públicamente y reportan avances, con '
         'comunicación bidireccional con la población.',
         '06', '2026-09-01', '2027-12-31', 'delayed',
         'Tras el cambio de autoridades municipales, el reglamento de la plataforma aún no se aprueba.',
         '2026-11-05 10:00-05'),
        ('6e55de00-0014-4000-8000-000000000008', '3', NULL,
         'Formación de líderes comunitarios con participación de mujeres y jóvenes',
         'Programa de formación en gestión y toma de decisiones, con al menos la mitad de las '
         'vacantes para mujeres y jóvenes.',
         '10', '2026-10-01', '2027-11-30', 'on_track',
         'Primera promoción en curso.', '2026-10-01 09:00-05'),
        ('6e55de00-0014-4000-8000-000000000009', '3', '6e55de00-0014-4000-8000-000000000008',
         'Módulo de monitoreo participativo para veedores comunales',
         'Formación de veedores que verifiquen los avances de los compromisos en su territorio.',
         '13', '2027-02-01', '2027-06-30', 'not_started', '', NULL),
        ('6e55de00-0014-4000-8000-000000000010', '3', NULL,
         'Acuerdo escrito de roles y responsabilidades entre los socios',
         'Definir por escrito los roles, responsabilidades, expectativas y aportes de cada socio.',
         '06', '2026-09-01', '2026-12-31', 'dropped',
         'Se integró al reglamento de la plataforma de diálogo (compromiso 1 de este pacto).',
         '2026-10-12 10:00-05'),
        ('6e55de00-0014-4000-8000-000000000011', '1', '6e55de00-0014-4000-8000-000000000002',
         'Firmar el convenio de inversión con la municipalidad',
         'Convenio de obras por impuestos entre la empresa y la municipalidad, con el '
         'cronograma de la obra.',
         '06', '2026-09-15', '2026-11-15', 'delayed',
         'El concejo municipal no aprobó el convenio en la sesión de noviembre; se reprograma '
         'para diciembre.',
         '2026-11-18 16:00-05')
       ) v (id, pact, parent, title, description, org, starts_on, due_on, status, reason, changed);

INSERT INTO commitments (id, pact_id, parent_id, title, description,
                         responsible_organization_id, starts_on, due_on, created_at,
                         updated_at)
SELECT id, pact_id, parent_id, title, description, org_id, starts_on, due_on,
       '2026-08-21 12:30-05', '2026-08-21 12:30-05'
  FROM demo_commitment
 ORDER BY parent_id NULLS FIRST, id
ON CONFLICT DO NOTHING;

UPDATE commitments c
   SET status = d.status, status_reason = d.reason, status_changed_at = d.changed,
       updated_at = d.changed
  FROM demo_commitment d
 WHERE c.id = d.id AND d.status <> 'not_started'
   AND c.status = 'not_started' AND c.status_changed_at IS NULL;

INSERT INTO commitment_co_responsibles (commitment_id, organization_id)
SELECT ('6e55de00-0014-4000-8000-0000000000' || v.c)::uuid,
       ('6e55de00-0010-4000-8000-0000000000' || v.org)::uuid
  FROM (VALUES ('01', '02'), ('01', '12'), ('02', '06'), ('03', '04'), ('03', '11'),
               ('04', '05'), ('04', '14'), ('05', '05'), ('05', '09'), ('06', '03'),
               ('07', '02'), ('07', '04'), ('08', '04'), ('08', '13'), ('11', '02')) v (c, org)
ON CONFLICT DO NOTHING;

INSERT INTO indicators (id, commitment_id, name, unit, baseline_value, baseline_on,
                        target_value, target_on, direction, verification, created_at,
                        updated_at)
SELECT v.id::uuid, ('6e55de00-0014-4000-8000-0000000000' || v.c)::uuid, v.name, v.unit,
       v.base, v.base_on::date, v.target, v.target_on::date, v.dir, v.verification,
       '2026-08-21 12:30-05', '2026-08-21 12:30-05'
  FROM (VALUES
        ('6e55de00-0015-4000-8000-000000000001', '01', 'Capital comprometido en el fondo',
         'millones de S/', 0, '2026-08-21', 12, '2027-12-31', 'up',
         'Actas del comité del fondo y constancias de depósito; verifica la Red de Monitoreo Ciudadano del Sur.'),
        ('6e55de00-0015-4000-8000-000000000002', '01',
         'Fuentes de financiamiento integradas (pública, privada, cooperación, obras por impuestos)',
         'fuentes', 1, '2026-08-21', 4, '2027-12-31', 'up',
         'Convenios firmados con cada fuente.'),
        ('6e55de00-0015-4000-8000-000000000003', '02', 'Hogares con agua potable continua',
         'hogares', 420, '2026-06-30', 1200, '2027-10-31', 'up',
         'Padrón de usuarios de la junta administradora de servicios de saneamiento, '
         'contrastado en campo por la Red de Monitoreo.'),
        ('6e55de00-0015-4000-8000-000000000004', '03', 'Bionegocios comunales con capital semilla',
         'bionegocios', 0, '2026-08-21', 10, '2027-12-31', 'up',
         'Resoluciones de adjudicación y actas de entrega.'),
        ('6e55de00-0015-4000-8000-000000000005', '03',
         'Ingreso mensual promedio de las familias socias de los bionegocios',
         'S/ por mes', 850, '2026-08-01', 1100, '2027-12-31', 'up',
         'Encuesta de hogares con el padrón de familias socias.'),
        ('6e55de00-0015-4000-8000-000000000006', '04', 'Viviendas que segregan residuos en origen',
         '%', 12, '2026-08-01', 60, '2027-08-31', 'up',
         'Registro municipal de canjes y muestreo mensual de viviendas.'),
        ('6e55de00-0015-4000-8000-000000000007', '04', 'Residuos dispuestos en el botadero',
         't/mes', 38, '2026-08-01', 15, '2027-08-31', 'down',
         'Pesaje en la entrada del botadero, informe mensual de la municipalidad.'),
        ('6e55de00-0015-4000-8000-000000000008', '06',
         'Hectáreas abonadas con el fertilizante piloto', 'ha', 0, '2027-03-01', 40,
         '2028-06-30', 'up', 'Informe técnico de la universidad y visita de campo.'),
        ('6e55de00-0015-4000-8000-000000000009', '08', 'Líderes comunitarios formados',
         'personas', 0, '2026-10-01', 60, '2027-11-30', 'up',
         'Actas de certificación del programa.'),
        ('6e55de00-0015-4000-8000-000000000010', '08',
         'Mujeres y jóvenes entre los líderes formados', '%', 20, '2026-10-01', 50,
         '2027-11-30', 'up', 'Actas de certificación del programa, por sexo y edad.')
       ) v (id, c, name, unit, base, base_on, target, target_on, dir, verification)
ON CONFLICT DO NOTHING;

-- Measurements: reported by a contact of the responsible or a co-responsible
-- party, reviewed by the verifier's contact (Carmen Ccori, Red de Monitoreo
-- Ciudadano del Sur). One waits for review in two pacts; one was rejected.
INSERT INTO measurements (id, indicator_id, value, as_of, evidence, status, reported_by,
                          reported_at, reviewed_by, reviewed_at, review_comment)
SELECT v.id::uuid, ('6e55de00-0015-4000-8000-0000000000' || v.ind)::uuid, v.value,
       v.as_of::date, v.evidence, v.status,
       ('6e55de00-0011-4000-8000-0000000000' || v.who)::uuid, v.reported::timestamptz,
       CASE WHEN v.status <> 'submitted' THEN '6e55de00-0011-4000-8000-000000000003'::uuid END,
       v.reviewed::timestamptz, v.comment
  FROM (VALUES
        ('6e55de00-0016-4000-8000-000000000001', '01', 3.0, '2026-09-30',
         'Acta N.° 1 del comité del fondo: aporte de la empresa.', 'verified', '02',
         '2026-10-02 10:00-05', '2026-10-06 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000002', '01', 5.5, '2026-10-31',
         'Acta N.° 2: aporte de la cooperación y constancias de depósito.', 'verified', '02',
         '2026-11-03 10:00-05', '2026-11-06 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000003', '02', 3, '2026-11-10',
         'Convenios con la empresa, la cooperación y el gobierno regional.', 'verified', '02',
         '2026-11-11 10:00-05', '2026-11-13 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000004', '03', 468, '2026-10-31',
         'Padrón de la junta de saneamiento a octubre.', 'verified', '01',
         '2026-11-02 10:00-05', '2026-11-05 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000005', '03', 530, '2026-11-20',
         'Padrón actualizado con las conexiones del sector Alto.', 'submitted', '01',
         '2026-11-21 10:00-05', NULL, ''),
        ('6e55de00-0016-4000-8000-000000000006', '04', 4, '2026-11-15',
         'Resolución de adjudicación de la primera convocatoria.', 'verified', '02',
         '2026-11-16 10:00-05', '2026-11-18 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000007', '05', 1250, '2026-11-01',
         'Estimación a partir de las ventas de la feria de octubre.', 'rejected', '02',
         '2026-11-02 10:00-05', '2026-11-04 16:00-05',
         'El valor no sale de la encuesta de hogares: falta el padrón de familias socias. '
         'Volver a enviar con la encuesta.'),
        ('6e55de00-0016-4000-8000-000000000008', '06', 24, '2026-09-30',
         'Registro municipal de canjes de setiembre.', 'verified', '04',
         '2026-10-01 10:00-05', '2026-10-03 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000009', '06', 38, '2026-10-31',
         'Registro municipal de canjes de octubre.', 'verified', '04',
         '2026-11-01 10:00-05', '2026-11-04 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000010', '06', 51, '2026-11-15',
         'Muestreo de 120 viviendas, primera quincena de noviembre.', 'verified', '04',
         '2026-11-16 10:00-05', '2026-11-19 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000011', '07', 29, '2026-10-31',
         'Informe de pesaje del botadero, octubre.', 'verified', '04',
         '2026-11-02 10:00-05', '2026-11-05 16:00-05', ''),
        ('6e55de00-0016-4000-8000-000000000012', '09', 22, '2026-11-16',
         'Lista de participantes que aprobaron el primer módulo.', 'submitted', '05',
         '2026-11-17 10:00-05', NULL, '')
       ) v (id, ind, value, as_of, evidence, status, who, reported, reviewed, comment)
ON CONFLICT DO NOTHING;

INSERT INTO milestones (id, commitment_id, title, due_on, done_on, created_at, updated_at)
SELECT v.id::uuid, ('6e55de00-0014-4000-8000-0000000000' || v.c)::uuid, v.title,
       v.due_on::date, v.done_on::date, '2026-08-21 12:30-05',
       coalesce(v.done_on::timestamptz + interval '18 hours', '2026-08-21 12:30-05')
  FROM (VALUES
        ('6e55de00-0017-4000-8000-000000000001', '01', 'Reglamento del fondo aprobado por su comité',
         '2026-10-15', '2026-10-06'),
        ('6e55de00-0017-4000-8000-000000000002', '02', 'Priorización del proyecto por el concejo municipal',
         '2026-10-15', '2026-10-20'),
        ('6e55de00-0017-4000-8000-000000000004', '02', 'Inicio de la obra', '2027-03-01', NULL),
        ('6e55de00-0017-4000-8000-000000000005', '03', 'Primera convocatoria adjudicada',
         '2026-11-30', '2026-11-15'),
        ('6e55de00-0017-4000-8000-000000000006', '05', 'Estudio de mercado de la madera plástica',
         '2026-09-15', '2026-09-12'),
        ('6e55de00-0017-4000-8000-000000000007', '05', 'Instalación y pruebas de la planta',
         '2026-10-15', '2026-10-14'),
        ('6e55de00-0017-4000-8000-000000000008', '05', 'Inauguración y primera producción',
         '2026-10-31', '2026-10-30'),
        ('6e55de00-0017-4000-8000-000000000009', '06', 'Permiso ambiental del piloto',
         '2027-02-28', NULL),
        ('6e55de00-0017-4000-8000-000000000010', '07', 'Reglamento de la plataforma aprobado',
         '2026-10-31', NULL),
        ('6e55de00-0017-4000-8000-000000000011', '07', 'Primera sesión pública de rendición de avances',
         '2027-01-31', NULL),
        ('6e55de00-0017-4000-8000-000000000012', '07', 'Segunda sesión pública de rendición de avances',
         '2027-04-30', NULL),
        ('6e55de00-0017-4000-8000-000000000013', '09', 'Primer curso de veedores comunales',
         '2027-05-31', NULL)
       ) v (id, c, title, due_on, done_on)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------
-- The repository of practices (issue 15): a dozen cases written from the seed
-- documents — the Mala Sostenible circular-economy experience (Profonanpe
-- roundtable, December 2024), obras por impuestos, the Moquegua community of
-- practice itself, the multi-actor dialogue tables — published, the ones the
-- pacts prove linked to them, two lessons learned and one adoption.
-- Ids: 18 practices, 19 adoptions. Each case has one revision, published.

CREATE TEMP TABLE demo_practice (
    id uuid, c jsonb, published_at timestamptz
) ON COMMIT DROP;
INSERT INTO demo_practice
SELECT ('6e55de00-0018-4000-8000-0000000000' || v.n)::uuid,
       practice_normal(jsonb_build_object(
           'title', v.title, 'kind', v.kind, 'summary', v.summary, 'context', v.context,
           'what_worked', v.worked, 'what_did_not', v.did_not, 'results', v.results,
           'themes', to_jsonb(v.themes), 'sectors', to_jsonb(v.sectors),
           'territories', to_jsonb(v.territories), 'sdgs', to_jsonb(v.sdgs), 'stage', v.stage,
           'edition', 'gess-2026',
           'organization_ids', to_jsonb(ARRAY(SELECT ('6e55de00-0010-4000-8000-0000000000' || o)
                                              FROM unnest(v.orgs) o)),
           'pact_id', CASE WHEN v.pact IS NOT NULL
                           THEN '6e55de00-0012-4000-8000-00000000000' || v.pact END,
           'commitment_ids', to_jsonb(ARRAY(SELECT ('6e55de00-0014-4000-8000-0000000000' || c)
                                            FROM unnest(v.coms) c)))),
       v.at::timestamptz
  FROM (VALUES
    ('01', 'Mala Sostenible: economía circular con la Comunidad Campesina de Mala', 'practice',
     'Profonanpe y una compañía minera diversifican los ingresos de la comunidad, mejoran sus '
     'servicios básicos y conservan sus ecosistemas con un enfoque de economía circular y '
     'gobernanza participativa.',
     'La Comunidad Campesina de Mala, en la provincia de Cañete, vive junto a una operación '
     'minera; la Mesa Temática de diciembre de 2024 la presentó como una alianza que transforma.',
     'Segregar los residuos en origen y devolverlos como abono; decisiones tomadas en asamblea; '
     'la empresa aporta capital semilla y la comunidad, mano de obra y conocimiento.',
     '', 'Nuevas fuentes de ingreso para las familias y menos residuos en el botadero comunal.',
     ARRAY['economia_circular', 'bionegocios', 'relaciones_comunitarias'],
     ARRAY['private', 'community', 'civil_society'], ARRAY['1505'], ARRAY[8, 12, 15],
     'operation', ARRAY['11'], NULL, ARRAY[]::text[], '2026-09-10 10:00-05'),
    ('02', 'Canje de residuos segregados por abono en Ccollpa', 'practice',
     'Cada familia que separa sus residuos en casa los canjea por abono de la planta comunal: '
     'la segregación en origen se sostiene porque rinde algo a quien la hace.',
     'Distrito de Ccollpa (Apurímac), entorno de una operación minera; pacto de economía '
     'circular del GESS 2026.',
     'El canje visible y semanal; recicladores asociados a cargo del acopio.', '',
     'La mitad de las viviendas del distrito segregan en origen.',
     ARRAY['economia_circular', 'gestion_territorial'], ARRAY['public', 'community'],
     ARRAY['03'], ARRAY[11, 12], 'operation', ARRAY['07', '14'], '2', ARRAY['04'],
     '2026-10-01 10:00-05'),
    ('03', 'Planta comunal de madera plástica', 'practice',
     'Envolturas plásticas convertidas en postes y bancas por una planta que opera la '
     'comunidad, con un estudio de mercado antes de instalarla.',
     'Ccollpa, Apurímac: el plástico era la fracción que nadie compraba.',
     'Estudiar el mercado primero; la comunidad como operadora, no como beneficiaria.', '',
     'Primera producción en octubre de 2026.',
     ARRAY['economia_circular', 'bionegocios'], ARRAY['community', 'private'], ARRAY['03'],
     ARRAY[9, 12], 'operation', ARRAY['05', '03'], '2', ARRAY['05'], '2026-11-05 10:00-05'),
    ('04', 'Obras por impuestos para el agua y saneamiento de Alto Pucará', 'practice',
     'La empresa financia el sistema de agua de la comunidad con cargo a su impuesto a la renta, '
     'en un proyecto priorizado por la municipalidad.',
     'Alto Pucará (Moquegua): la obra pública esperaba presupuesto desde hacía años.',
     'Un comité de seguimiento con la comunidad desde la priorización.',
     '', 'Convenio de inversión en trámite; la priorización se logró en octubre de 2026.',
     ARRAY['obras_por_impuestos', 'agua', 'financiamiento'], ARRAY['private', 'public'],
     ARRAY['18'], ARRAY[6, 17], 'operation', ARRAY['02', '06'], '1', ARRAY['02'],
     '2026-09-20 10:00-05'),
    ('05', 'Lección: el convenio de obras por impuestos depende del calendario del concejo',
     'lesson',
     'La firma del convenio de inversión se postergó porque el concejo municipal no lo aprobó a '
     'tiempo: el calendario político es parte del cronograma.',
     'Obras por impuestos en Alto Pucará, pacto de financiamiento del GESS 2026.',
     'Reprogramar con la municipalidad y comunicar el retraso a la comunidad en público.',
     'Prever la firma para noviembre sin haber asegurado la sesión del concejo: la obra se '
     'retrasó y la confianza se resintió.',
     'El compromiso pasó a "en riesgo"; nueva fecha de firma en diciembre.',
     ARRAY['obras_por_impuestos', 'financiamiento'], ARRAY['public', 'private'], ARRAY['18'],
     ARRAY[16, 17], 'operation', ARRAY['06'], '1', ARRAY['02', '11'], '2026-11-20 10:00-05'),
    ('06', 'Fondo socioambiental mixto con comité multiactor', 'practice',
     'Un fondo que integra aportes públicos, privados y de cooperación, con reglas de acceso '
     'públicas y un comité donde la comunidad tiene voz y voto.',
     'Proyectos con las comunidades que dependían de una sola fuente y de un solo gobierno local.',
     'Reglamento aprobado por el propio comité antes de la primera convocatoria.', '',
     'Reglamento aprobado en octubre de 2026; aportes comprometidos por escrito.',
     ARRAY['financiamiento', 'dialogo_multiactor'], ARRAY['cooperation', 'private', 'community'],
     ARRAY['18'], ARRAY[17], 'operation', ARRAY['11', '12'], '1', ARRAY['01'],
     '2026-10-10 10:00-05'),
    ('07', 'Comunidad de Aprendizaje y Práctica en Gobernanza Minera de Moquegua', 'practice',
     'Un espacio neutral de diálogo y aprendizaje colectivo donde sociedad civil, empresa, Estado '
     'y academia recogen buenas prácticas y lecciones aprendidas para la gobernanza minera.',
     'Moquegua capitaliza una larga trayectoria de diálogo multiactor (Mesa de Diálogo de '
     'Quellaveco, RIMAY Moquegua, Moquegua Crece).',
     'Respeto mutuo, transparencia y compromiso como pilares; gestión del conocimiento como '
     'tarea explícita.', '',
     'Una agenda común de temas pendientes de la región y una red de confianza entre sus miembros.',
     ARRAY['gestion_del_conocimiento', 'dialogo_multiactor'],
     ARRAY['civil_society', 'private', 'public', 'academia'], ARRAY['18'], ARRAY[16, 17],
     'not_applicable', ARRAY['13', '10'], NULL, ARRAY[]::text[], '2026-09-01 10:00-05'),
    ('08', 'Plataforma de diálogo territorial con rendición pública de avances', 'practice',
     'Las partes se comprometen en público y reportan avances en sesiones trimestrales: '
     '"compromiso asumido, compromiso cumplido".',
     'La confianza construida entre personas se perdía con cada cambio de autoridades.',
     'Trasladar la confianza a reglas escritas: reglamento de la plataforma y actas públicas.', '',
     'Reglamento en aprobación; primera sesión pública prevista para enero de 2027.',
     ARRAY['dialogo_multiactor', 'gestion_territorial', 'relaciones_comunitarias'],
     ARRAY['community', 'public', 'private'], ARRAY['18'], ARRAY[16], 'operation',
     ARRAY['04', '06'], '3', ARRAY['07'], '2026-10-15 10:00-05'),
    ('09', 'Veedores comunales para el monitoreo participativo', 'practice',
     'Líderes comunitarios, con al menos la mitad de mujeres y jóvenes, formados como veedores '
     'que verifican los indicadores de los compromisos.',
     'Indicadores que nadie de la comunidad podía verificar por sí mismo.',
     'Formación en módulos cortos y verificación acompañada por la red de monitoreo.', '',
     '22 participantes aprobaron el primer módulo.',
     ARRAY['monitoreo_participativo', 'gestion_territorial'], ARRAY['civil_society', 'community'],
     ARRAY['18', '03'], ARRAY[5, 16], 'operation', ARRAY['13'], '3', ARRAY['08'],
     '2026-11-18 10:00-05'),
    ('10', 'Lección: una mesa de diálogo sin roles escritos se desarma', 'lesson',
     'Cuando los aportes y responsabilidades de cada socio no se escriben, el diálogo depende de '
     'las personas y se pierde con ellas.',
     'Mesas multiactor de la región antes del GESS 2026.',
     'Formalizar por escrito los roles, responsabilidades y aportes de cada socio.',
     'Confiar en acuerdos verbales: con el cambio de autoridades, nadie recordaba qué se había '
     'acordado.',
     'El pacto de gestión social del territorio incluye la formalización como compromiso.',
     ARRAY['dialogo_multiactor', 'relaciones_comunitarias'], ARRAY['community', 'public'],
     ARRAY['18'], ARRAY[16, 17], 'not_applicable', ARRAY['04'], '3', ARRAY['10'],
     '2026-11-01 10:00-05'),
    ('11', 'Capital semilla para bionegocios del plan de vida comunal', 'practice',
     'Una convocatoria anual para bionegocios y econegocios culturalmente pertinentes, con '
     'acompañamiento técnico y conexión a mercados.',
     'Emprendimientos comunales sin acceso a crédito ni a compradores.',
     'Alinear la convocatoria con el plan de vida de la comunidad.', '',
     'Primera convocatoria adjudicada en noviembre de 2026.',
     ARRAY['bionegocios', 'financiamiento', 'turismo_sostenible'],
     ARRAY['community', 'cooperation'], ARRAY['18'], ARRAY[1, 8], 'operation',
     ARRAY['12', '04'], '1', ARRAY['03'], '2026-11-16 10:00-05'),
    ('12', 'Fertilizante a partir de la dolomita de los relaves', 'practice',
     'Investigación aplicada de la universidad para producir fertilizante con la dolomita de los '
     'relaves: una tecnología que debe ser rentable para sostenerse.',
     'Relaves con dolomita en el entorno de Ccollpa; suelos ácidos en la zona agrícola.',
     'Piloto pequeño con la comunidad antes de escalar.', '',
     'Piloto en diseño; permiso ambiental en trámite.',
     ARRAY['economia_circular', 'conservacion'], ARRAY['academia', 'private'], ARRAY['03'],
     ARRAY[2, 9, 12], 'exploration', ARRAY['09', '03'], '2', ARRAY['06'], '2026-10-20 10:00-05')
  ) v (n, title, kind, summary, context, worked, did_not, results, themes, sectors,
       territories, sdgs, stage, orgs, pact, coms, at);

INSERT INTO practices (id, author_id, status, published, published_at, revision, created_at,
                       updated_at, consented_at, consented_license)
SELECT d.id, '6e55de00-0011-4000-8000-000000000005', 'published', d.c, d.published_at, 1,
       d.published_at - interval '5 days', d.published_at, d.published_at - interval '5 days',
       coalesce(d.c ->> 'license', 'CC-BY-4.0')
  FROM demo_practice d
ON CONFLICT DO NOTHING;

INSERT INTO practice_revisions (practice_id, number, content, status, author_id, created_at,
                                updated_at, submitted_at, reviewed_at, comment)
SELECT d.id, 1, d.c, 'published', '6e55de00-0011-4000-8000-000000000005',
       d.published_at - interval '5 days', d.published_at, d.published_at - interval '2 days',
       d.published_at, 'Publicado por el comité editorial del GESS'
  FROM demo_practice d
ON CONFLICT DO NOTHING;

-- The canje of Ccollpa replicated by the municipality of Alto Pucará (Moquegua).
INSERT INTO practice_adoptions (id, practice_id, organization_id, territory, note, created_at)
VALUES ('6e55de00-0019-4000-8000-000000000001', '6e55de00-0018-4000-8000-000000000002',
        '6e55de00-0010-4000-8000-000000000006', '18',
        'Canje de residuos por abono en Alto Pucará desde noviembre de 2026.',
        '2026-11-25 10:00-05')
ON CONFLICT DO NOTHING;
