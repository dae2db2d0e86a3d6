-- The situation's counts rolled up by level (src/situation/counters.c): a row per unit, the
-- unit above it, local day number and figure.  Every counted row of a platform's table is
-- counted three times, under the nation (by province), under its province (by district) and
-- under its district (by commune), so a page reads the rows of its own unit's children and
-- never sums ten thousand communes.  '' is an unknown place below a known one.  Figures that
-- are a state at the end of a day (in quarantine, pending, coverage) are kept as changes by
-- day, +1 when the state begins and -1 when it ends, plus a total over all days at day -1:
-- the state on a day is the total minus the changes after it.  Triggers and the first fill
-- are made in C right after this migration (migrate.c); situation_counters goes.
CREATE TABLE situation_counts (
    parent TEXT NOT NULL,
    unit TEXT NOT NULL,
    day BIGINT NOT NULL,
    figure TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (parent, day, figure, unit)
){{without_rowid}};
DROP TABLE situation_counters;
