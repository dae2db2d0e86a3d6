-- The rest of a synthetic nation for bench/situation.sh, at 2021 proportions, over the persons
-- `cordon demo --people N --place VN` loaded (ids p0 .. p0 + n - 1, spread over every commune):
-- per 10 million people, 50,000 samples a day for 14 days (2% positive, each positive a case,
-- a third of the last day's still pending), 10 F1 and 40 F2 per case (two in three reached), a
-- home quarantine order per F1, 200,000 health declarations a day (1% flagged, 8% domestic
-- travel, 2% entry), 500 feedback messages a day, and first doses for 77% of people, second
-- doses for 62%, boosters for 10%.  The caller makes the temporary table k (now, p0, n, scale =
-- n / 10 million).  Local day D starts at D * 86400 - 25200 (UTC+7); 07:00 local is D * 86400.
-- Persons are picked with a multiplier prime to n (2654435761: odd, not a multiple of 5), so
-- every person is picked once in n steps.
PRAGMA foreign_keys = OFF;
PRAGMA cache_size = -1048576;
CREATE TEMP TABLE d AS SELECT (now + 25200) / 86400 AS today, now, p0, n,
  MAX(1, CAST(50000 * scale AS INT)) AS samples, MAX(1, CAST(200000 * scale AS INT)) AS decls,
  MAX(1, CAST(500 * scale AS INT)) AS fbs,
  (SELECT MIN(id) FROM testing_sessions) AS session, (SELECT MIN(id) FROM testing_tubes) AS tube,
  (SELECT MIN(id) FROM vaccine_sites) AS site FROM k;

BEGIN;
INSERT INTO testing_samples (client_id, session_id, tube_id, person_id, collected_at, status, resulted_at,
  province_code, district_code, commune_code)
SELECT 'NS' || s.i, d.session, d.tube, p.id, s.at,
  CASE WHEN s.last AND s.i % 3 = 0 THEN 'pending' WHEN s.i % 50 = 0 THEN 'positive' ELSE 'negative' END,
  CASE WHEN s.last AND s.i % 3 = 0 THEN NULL ELSE s.at + 14400 + (s.i % 7) * 3600 END,
  p.province_code, p.district_code, p.commune_code
FROM d JOIN (SELECT value AS i, (d.today - 13 + value / d.samples) * 86400 + value % 36000 AS at,
                    value / d.samples = 13 AS last
             FROM d, generate_series(0, d.samples * 14 - 1)) s
JOIN persons p ON p.id = d.p0 + (s.i * 2654435761) % d.n;

INSERT INTO cases (person_id, sample_id, status, confirmed_at, province_code, district_code, commune_code, sample_at)
SELECT person_id, id, 'confirmed', resulted_at, province_code, district_code, commune_code, collected_at
FROM testing_samples WHERE client_id LIKE 'NS%' AND status = 'positive';

INSERT INTO tracing_contacts (case_id, person_id, degree, through_person_id, first_at, risk, reasons, status,
  province_code, district_code, commune_code, run_id, created_at, updated_at)
SELECT c.id, p.id, CASE WHEN k.value < 10 THEN 1 ELSE 2 END, c.person_id, c.sample_at - 86400, 500, '{"items":[],"total":0}',
  CASE WHEN k.value % 3 = 0 THEN 'not_reached' ELSE 'reached' END,
  p.province_code, p.district_code, p.commune_code, 0, c.confirmed_at + 3600, c.confirmed_at + 3600
FROM cases c JOIN testing_samples t ON t.id = c.sample_id AND t.client_id LIKE 'NS%', d,
     generate_series(0, 49) k
JOIN persons p ON p.id = d.p0 + ((c.person_id - d.p0) + 1 + k.value * 104729) % d.n;

-- these cases are traced already (their contacts above): the server's tracing job leaves them
INSERT INTO tracing_auto (case_id, run_id, traced_at)
SELECT c.id, 0, d.now FROM cases c JOIN testing_samples t ON t.id = c.sample_id AND t.client_id LIKE 'NS%', d;

INSERT INTO quarantine_orders (client_id, person_id, case_id, kind, start_day, end_day, checkins_per_day, radius_m,
  grace_minutes, status, province_code, district_code, commune_code, created_at, updated_at)
SELECT 'NQ' || x.id, x.person_id, x.case_id, 'home', (x.created_at + 25200) / 86400, (x.created_at + 25200) / 86400 + 13,
  2, 100, 60, 'active', x.province_code, x.district_code, x.commune_code, x.created_at, x.created_at
FROM tracing_contacts x JOIN cases c ON c.id = x.case_id JOIN testing_samples t ON t.id = c.sample_id
WHERE t.client_id LIKE 'NS%' AND x.degree = 1;

INSERT INTO declarations (client_id, reference, person_id, kind, symptoms, exposure, health_status, flagged,
  province_code, district_code, commune_code, declared_at)
SELECT 'ND' || s.i, 'TK-N' || s.i, p.id,
  CASE WHEN s.i % 50 = 1 THEN 'entry' WHEN s.i % 100 < 10 AND s.i % 50 <> 1 THEN 'domestic_travel' ELSE 'health' END,
  CASE WHEN s.i % 100 = 0 THEN 'fever' ELSE '' END, '', 'well', s.i % 100 = 0,
  p.province_code, p.district_code, p.commune_code, s.at
FROM d JOIN (SELECT value AS i, (d.today - 13 + value / d.decls) * 86400 + value % 50400 AS at
             FROM d, generate_series(0, d.decls * 14 - 1)) s
JOIN persons p ON p.id = d.p0 + (s.i * 2654435761 + 12345) % d.n;

INSERT INTO feedback (client_id, category, body, phone, status, level, due_at, province_code, district_code,
  commune_code, created_at, updated_at)
SELECT 'NF' || s.i, 'other', 'Phản ánh ' || s.i, p.phone, CASE WHEN s.i % 10 < 3 THEN 'new' ELSE 'answered' END,
  'commune', s.at + 172800, p.province_code, p.district_code, p.commune_code, s.at, s.at
FROM d JOIN (SELECT value AS i, (d.today - 13 + value / d.fbs) * 86400 + value % 36000 AS at
             FROM d, generate_series(0, d.fbs * 14 - 1)) s
JOIN persons p ON p.id = d.p0 + (s.i * 2654435761 + 777) % d.n;

-- doses: person i's first dose 30 to 199 days ago, the second 28 days later, a booster 1 to 28 days ago
INSERT INTO vaccine_doses (person_id, dose_number, product, lot, site_id, administered_at, day, observation_until,
  next_earliest, next_latest, completes, booster, age_years, province_code, district_code, commune_code,
  site_province_code, site_district_code, site_commune_code, created_at)
SELECT v.id, v.dose, 'AstraZeneca', 'NB' || v.dose, v.site, v.at, date(v.at + 25200, 'unixepoch'), v.at + 1800, 0, 0,
  v.dose = 2, v.dose = 3, v.age, v.province_code, v.district_code, v.commune_code,
  v.province_code, v.district_code, v.commune_code, v.at
FROM (SELECT p.id, p.province_code, p.district_code, p.commune_code, d.site, dn.dose,
             CAST(strftime('%Y', d.now, 'unixepoch') AS INT) - CAST(substr(p.date_of_birth, 1, 4) AS INT) AS age,
             CASE dn.dose WHEN 1 THEN d.now - (30 + p.id % 170) * 86400
                          WHEN 2 THEN d.now - (2 + p.id % 170) * 86400
                          ELSE d.now - (1 + p.id % 28) * 86400 END AS at,
             (p.id * 37) % 100 AS r
      FROM d, persons p, (SELECT 1 AS dose UNION ALL SELECT 2 UNION ALL SELECT 3) dn
      WHERE p.id >= d.p0 AND p.id < d.p0 + d.n) v
WHERE (v.dose = 1 AND v.r < 77) OR (v.dose = 2 AND v.r < 62) OR (v.dose = 3 AND v.r < 10);
COMMIT;
