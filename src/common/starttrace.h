/* starttrace.h - where a container's start spends its time, told by warren
 * itself: with WARREN_TRACE_START set, each process of a start records
 * CLOCK_MONOTONIC at named points and prints them to stderr (the parent at
 * exit, the container's process just before its exec), one line each:
 *     warren-trace: PID MS POINT
 * MS counts from the value of WARREN_TRACE_START when it is a CLOCK_MONOTONIC
 * time in nanoseconds (bench/start_breakdown passes the moment it execs
 * warren), else from warren's main(). No system call and no output when
 * the variable is unset. */
#ifndef WARREN_STARTTRACE_H
#define WARREN_STARTTRACE_H

/**
 * starttrace_init() - read WARREN_TRACE_START once; @first is the first
 * mark (the program's main())
 */
void starttrace_init(const char *first);

/**
 * starttrace_mark() - record that this process reached @point (a string
 * literal: kept by pointer) now; nothing unless tracing is on
 */
void starttrace_mark(const char *point);

/**
 * starttrace_flush() - print this process's marks to stderr in one write
 * and forget them; safe between fork and exec (no allocation, no stdio)
 */
void starttrace_flush(void);

#endif
