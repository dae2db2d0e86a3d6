/* jobs.h - the table of background jobs `cordon serve` runs. */
#ifndef CORDON_JOB_TABLE_H
#define CORDON_JOB_TABLE_H

#include "jobs/jobs.h"

extern const struct job cordon_jobs[];
extern const int cordon_njobs;

#endif
