/* cmd_push.c - `warren push IMAGE [DEST]`. */
#include "climage.h"
#include "commands.h"

#include <stdio.h>

int cmd_push(int argc, char **argv)
{
	struct werr err = { 0 };

	werr_set(&err, ENOTSUP, "push is not supported yet");
	return img_fail(&err);
}
