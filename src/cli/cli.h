/*
 * cli: the subcommands of the netcensus binary. Each takes the arguments
 * after its own name (argv[0] is the subcommand) and returns the process
 * exit code: 0 ok, 1 runtime failure, 2 usage error. Machine output goes to
 * stdout, diagnostics to stderr.
 */
#ifndef NC_CLI_H
#define NC_CLI_H

int cmd_import(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_device(int argc, char **argv);
int cmd_changes(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_discover(int argc, char **argv);
int cmd_collector(int argc, char **argv);

#define NETCENSUS_VERSION "0.1.0"

#endif
