/*
 * checkpoint_int.h - what the checkpoint files share and nobody else uses.
 */
#ifndef CORDON_CHECKPOINT_INT_H
#define CORDON_CHECKPOINT_INT_H

#include "checkpoint/checkpoint.h"

/* Loads checkpoint id for the caller: officers must serve it, health staff have it in their area.
 * 0, or a 404/403 fault naming "id". */
int checkpoint__load(struct http_req *r, int64_t id, struct checkpoint *out);

#endif
