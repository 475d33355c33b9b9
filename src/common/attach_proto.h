/* attach_proto.h - the messages on a monitor's attach socket (AF_UNIX,
 * SOCK_SEQPACKET, so one message is one packet): a type byte, then data. */
#ifndef WARREN_ATTACH_PROTO_H
#define WARREN_ATTACH_PROTO_H

#define ATTACH_STDIN  'i' /* client -> monitor: bytes for the container's stdin */
#define ATTACH_EOF    'e' /* client -> monitor: close the container's stdin */
#define ATTACH_RESIZE 'w' /* client -> monitor: two uint16_t, rows and columns */
#define ATTACH_STDOUT '1' /* monitor -> client */
#define ATTACH_STDERR '2' /* monitor -> client */
#define ATTACH_EXIT   'x' /* monitor -> client: int32_t exit code; last message */

#define ATTACH_MSG_MAX 16384

#endif
