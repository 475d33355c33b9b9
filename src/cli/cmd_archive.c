/* cmd_archive.c - save, load, import. */
#include "climage.h"
#include "commands.h"

#include <stdio.h>

int cmd_save(int argc, char **argv)
{
	struct werr err = { 0 };

	werr_set(&err, ENOTSUP, "save is not supported yet");
	return img_fail(&err);
}

int cmd_load(int argc, char **argv)
{
	struct werr err = { 0 };

	werr_set(&err, ENOTSUP, "load is not supported yet");
	return img_fail(&err);
}

int cmd_import(int argc, char **argv)
{
	struct werr err = { 0 };

	werr_set(&err, ENOTSUP, "import is not supported yet");
	return img_fail(&err);
}
