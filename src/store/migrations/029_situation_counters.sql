-- The situation's counts by day (src/situation/counters.c): per place (the three located
-- columns, '' where unknown), local day number and figure, how many rows of a platform's
-- table fall there.  Triggers on the counted tables keep them in the writing transaction;
-- they are made from the figures' definitions in C right after this migration (migrate.c),
-- with a first fill from the tables, and `cordon situation rebuild` recomputes them.
CREATE TABLE situation_counters (
    province_code TEXT NOT NULL,
    district_code TEXT NOT NULL,
    commune_code TEXT NOT NULL,
    day BIGINT NOT NULL,
    figure TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (commune_code, district_code, province_code, day, figure)
);
CREATE INDEX situation_counters_day ON situation_counters (day, figure);
CREATE INDEX situation_counters_province ON situation_counters (province_code, day);
CREATE INDEX situation_counters_district ON situation_counters (district_code, day);
