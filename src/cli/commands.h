/* commands.h - the command table's entry points, one per CLI verb. Each
 * returns the process exit code; only main() exits. */
#ifndef WARREN_COMMANDS_H
#define WARREN_COMMANDS_H

int cmd_run(int argc, char **argv);

#endif
