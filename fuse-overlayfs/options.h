/* options.h - warren-overlay's option table and parser. */
#ifndef WARREN_OVL_OPTIONS_H
#define WARREN_OVL_OPTIONS_H

#include <stdio.h>

#include "ovl.h"

void opts_help(FILE *out);
int opts_parse_o(struct ovl_config *cfg, const char *arg, struct werr *err);

#endif
