/*
 * A small SSH client built on libssh2, for interop tests against our server.
 *
 *   libssh2_client [options] COMMAND [ARGS...]
 *
 * Options (before the command):
 *   -p PORT            port on 127.0.0.1 (or -H HOST)
 *   -l USER            user name (default "tester")
 *   -i KEY             log in with this private key file (public key derived from it)
 *   -w PASSWORD        log in with a password
 *   -k ANSWER          log in with keyboard-interactive, answering every prompt with ANSWER
 *   -a                 log in with the keys of the agent at $SSH_AUTH_SOCK
 *   -m TYPE=NAMES      pin a method list: kex, hostkey, crypt, mac, comp (both directions)
 *                      or crypt_cs, crypt_sc, mac_cs, mac_sc, comp_cs, comp_sc; a comp list
 *                      also turns on libssh2's compression, which is off unless asked for
 *   -t TERM            request a pty of TERM, 80x24, with ECHO off and VINTR ^C
 *   -T TERM            request a pty of TERM with no modes at all, as libssh2_channel_request_pty() does
 *   -s COLSxROWS       the pty's size
 *   -W COLSxROWS       change the pty's size (window-change) once the command has started
 *   -e NAME=VALUE      set an environment variable on the session (repeatable)
 *   -o FILE            write the remote command's standard output to FILE
 *   -A                 ask for agent forwarding (auth-agent-req@openssh.com) on the session
 *   -K                 send keepalive@openssh.com requests (want-reply) every second while relaying
 *
 * Commands:
 *   algs TYPE                    list what libssh2 supports for TYPE, one a line (no connection)
 *   version                      print libssh2's version (no connection)
 *   exec CMD                     run CMD: our stdin to it (then EOF), its stdout and stderr to ours
 *   shell                        the same with a shell
 *   multi N CMD                  open N session channels at once, run CMD on each (no input) and
 *                                read them together; prints "CHANNEL i bytes=B status=S" for each,
 *                                or "REFUSED i" for a channel the server would not open
 *   direct-tcpip HOST PORT       relay stdin and stdout through a direct-tcpip channel
 *   tcpip-forward HOST TO_HOST TO_PORT
 *                                ask the server to listen on HOST, port of its choosing; print the
 *                                port, accept one connection and relay it to TO_HOST:TO_PORT
 *   sftp-put LOCAL REMOTE, sftp-get REMOTE LOCAL, sftp-ls DIR, sftp-mkdir DIR, sftp-rmdir DIR,
 *   sftp-rename FROM TO, sftp-unlink PATH, sftp-symlink TARGET LINK, sftp-readlink PATH,
 *   sftp-realpath PATH, sftp-stat PATH, sftp-lstat PATH, sftp-statvfs PATH,
 *   sftp-append LOCAL REMOTE (opened with APPEND, then fsync@openssh.com and fstat),
 *   sftp-setstat PATH MODE MTIME (octal mode, seconds)
 *   scp-put LOCAL REMOTE, scp-get REMOTE LOCAL
 *
 * After the key exchange it prints "METHODS kex=.. hostkey=.. crypt=.. mac=.. comp=.." and
 * "HOSTKEY SHA256:..." (as ssh-keygen -l shows it) to stderr. exec
 * prints "EXIT-STATUS n" and, when the command was killed, "EXIT-SIGNAL NAME" to stderr, and
 * exits with the command's status (or 128 after a signal). Failures print "ERROR ..." and exit
 * with 70 or more.
 */
#include <libssh2.h>
#include <libssh2_sftp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAIL_CONNECT 70
#define FAIL_AUTH 71
#define FAIL_CHANNEL 72
#define FAIL_SFTP 73
#define FAIL_LOCAL 74
#define FAIL_USAGE 75

static LIBSSH2_SESSION *session;
static int sock = -1;

static const char *host = "127.0.0.1";
static int port = 22;
static const char *user = "tester";
static const char *key_file;
static const char *password;
static const char *kbd_answer;
static int use_agent;
static int keepalive;
static int forward_agent;
static const char *term;
static int no_modes;
static int cols = 80, rows = 24;
static int new_cols, new_rows;
static const char *output_file;
static const char *envs[16];
static int env_count;
static const char *prefs[16];
static int pref_count;
/* What relay() has carried to and from the server. */
static unsigned long long relayed_to_server, relayed_from_server;

static int fail(int code, const char *what) {
    char *message = NULL;
    if (session) libssh2_session_last_error(session, &message, NULL, 0);
    fprintf(stderr, "ERROR %s: %s\n", what, message && *message ? message : strerror(errno));
    return code;
}

static const struct {
    const char *name;
    int types[2];
} method_names[] = {
    {"kex", {LIBSSH2_METHOD_KEX, -1}},
    {"hostkey", {LIBSSH2_METHOD_HOSTKEY, -1}},
    {"crypt", {LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC}},
    {"crypt_cs", {LIBSSH2_METHOD_CRYPT_CS, -1}},
    {"crypt_sc", {LIBSSH2_METHOD_CRYPT_SC, -1}},
    {"mac", {LIBSSH2_METHOD_MAC_CS, LIBSSH2_METHOD_MAC_SC}},
    {"mac_cs", {LIBSSH2_METHOD_MAC_CS, -1}},
    {"mac_sc", {LIBSSH2_METHOD_MAC_SC, -1}},
    {"comp", {LIBSSH2_METHOD_COMP_CS, LIBSSH2_METHOD_COMP_SC}},
    {"comp_cs", {LIBSSH2_METHOD_COMP_CS, -1}},
    {"comp_sc", {LIBSSH2_METHOD_COMP_SC, -1}},
};

static const int *method_types(const char *name, size_t length) {
    for (size_t i = 0; i < sizeof method_names / sizeof method_names[0]; i++) {
        if (strlen(method_names[i].name) == length && strncmp(method_names[i].name, name, length) == 0) {
            return method_names[i].types;
        }
    }
    return NULL;
}

/* ---- waiting on a non-blocking session ---- */

/* Waits until the socket (in the directions libssh2 is blocked on) or `fd` (for reading, when
 * not -1) is ready, or 100 ms pass. */
static void wait_socket(int fd) {
    struct pollfd fds[2];
    int directions = libssh2_session_block_directions(session);
    fds[0].fd = sock;
    fds[0].events = POLLIN;
    if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND) fds[0].events |= POLLOUT;
    fds[0].revents = 0;
    fds[1].fd = fd;
    fds[1].events = POLLIN;
    fds[1].revents = 0;
    poll(fds, fd >= 0 ? 2 : 1, 100);
}

static int write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return -1;
        data += written;
        length -= (size_t)written;
    }
    return 0;
}

/* Relays `in` to the channel (then EOF) and the channel's data to `out` and its extended data to
 * `err`, until the channel's EOF has come and `in` is exhausted. `shutdown_out` half-closes `out`
 * (a socket) at the channel's EOF. Returns 0, or -1 on an error. */
static int relay(LIBSSH2_CHANNEL *channel, int in, int out, int err, int shutdown_out) {
    char pending[32768];
    size_t pending_length = 0, pending_offset = 0;
    int in_open = in >= 0, eof_sent = 0, remote_eof = 0;
    char buffer[32768];
    libssh2_session_set_blocking(session, 0);
    if (!in_open) {
        while (libssh2_channel_send_eof(channel) == LIBSSH2_ERROR_EAGAIN) wait_socket(-1);
        eof_sent = 1;
    }
    while (!(remote_eof && eof_sent)) {
        int progress = 0;
        /* toward the server */
        if (in_open && pending_length == 0) {
            struct pollfd ready = {in, POLLIN, 0};
            if (poll(&ready, 1, 0) > 0) {
                ssize_t count = read(in, pending, sizeof pending);
                if (count > 0) {
                    pending_length = (size_t)count;
                    pending_offset = 0;
                } else if (count == 0 || errno != EINTR) {
                    in_open = 0;
                }
                progress = 1;
            }
        }
        if (pending_length > 0) {
            ssize_t sent = libssh2_channel_write(channel, pending + pending_offset, pending_length);
            if (sent > 0) {
                relayed_to_server += (unsigned long long)sent;
                pending_offset += (size_t)sent;
                pending_length -= (size_t)sent;
                progress = 1;
            } else if (sent != LIBSSH2_ERROR_EAGAIN) {
                return fail(-1, "channel write");
            } else if (remote_eof && libssh2_channel_wait_closed(channel) == 0) {
                /* The command ended without reading all its input and the server closed the
                 * channel: the rest of the input has nowhere to go. */
                pending_length = 0;
                in_open = 0;
                eof_sent = 1;
                progress = 1;
            }
        }
        if (!in_open && pending_length == 0 && !eof_sent) {
            int sent = libssh2_channel_send_eof(channel);
            if (sent == 0) {
                eof_sent = 1;
                progress = 1;
            } else if (sent != LIBSSH2_ERROR_EAGAIN) {
                return fail(-1, "send eof");
            }
        }
        /* from the server */
        for (int stream = 0; stream < 2; stream++) {
            ssize_t count = libssh2_channel_read_ex(channel, stream, buffer, sizeof buffer);
            if (count > 0) {
                relayed_from_server += (unsigned long long)count;
                if (write_all(stream == 0 ? out : err, buffer, (size_t)count) < 0) return fail(-1, "local write");
                progress = 1;
            } else if (count < 0 && count != LIBSSH2_ERROR_EAGAIN) {
                return fail(-1, "channel read");
            }
        }
        if (!remote_eof && libssh2_channel_eof(channel)) {
            /* drain what came with the EOF */
            ssize_t count;
            while ((count = libssh2_channel_read_ex(channel, 0, buffer, sizeof buffer)) > 0) {
                if (write_all(out, buffer, (size_t)count) < 0) return fail(-1, "local write");
            }
            while ((count = libssh2_channel_read_ex(channel, 1, buffer, sizeof buffer)) > 0) {
                if (write_all(err, buffer, (size_t)count) < 0) return fail(-1, "local write");
            }
            remote_eof = 1;
            if (shutdown_out) shutdown(out, SHUT_WR);
            progress = 1;
        }
        if (!progress) {
            int next = 0;
            if (keepalive && libssh2_keepalive_send(session, &next) != 0 && libssh2_session_last_errno(session) !=
                                                                               LIBSSH2_ERROR_EAGAIN) {
                return fail(-1, "keepalive");
            }
            wait_socket(in_open && pending_length == 0 ? in : -1);
        }
    }
    int closed;
    while ((closed = libssh2_channel_close(channel)) == LIBSSH2_ERROR_EAGAIN) wait_socket(-1);
    while ((closed = libssh2_channel_wait_closed(channel)) == LIBSSH2_ERROR_EAGAIN) wait_socket(-1);
    libssh2_session_set_blocking(session, 1);
    return 0;
}

/* ---- connecting and logging in ---- */

static void kbd_callback(const char *name, int name_length, const char *instruction, int instruction_length,
                         int prompt_count, const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
                         LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract) {
    (void)name;
    (void)name_length;
    (void)instruction;
    (void)instruction_length;
    (void)abstract;
    for (int i = 0; i < prompt_count; i++) {
        fprintf(stderr, "PROMPT %.*s echo=%d\n", (int)prompts[i].length, prompts[i].text, prompts[i].echo);
        responses[i].text = strdup(kbd_answer);
        responses[i].length = (unsigned int)strlen(kbd_answer);
    }
}

/* -K: keepalive@openssh.com every second from here on. Only once logged in: a connection message
 * before authentication ends the connection (our server's allow-list), though sshd answers it. */
static int configure_keepalive(void) {
    if (keepalive) libssh2_keepalive_config(session, 1, 1);
    return 0;
}

static int login_with_agent(void) {
    LIBSSH2_AGENT *agent = libssh2_agent_init(session);
    struct libssh2_agent_publickey *identity = NULL, *previous = NULL;
    if (!agent) return fail(FAIL_AUTH, "agent init");
    if (libssh2_agent_connect(agent)) return fail(FAIL_AUTH, "agent connect");
    if (libssh2_agent_list_identities(agent)) return fail(FAIL_AUTH, "agent list");
    int result = FAIL_AUTH;
    while (libssh2_agent_get_identity(agent, &identity, previous) == 0) {
        if (libssh2_agent_userauth(agent, user, identity) == 0) {
            fprintf(stderr, "AGENT-KEY %s\n", identity->comment ? identity->comment : "");
            result = 0;
            break;
        }
        previous = identity;
    }
    libssh2_agent_disconnect(agent);
    libssh2_agent_free(agent);
    return result == 0 ? 0 : fail(FAIL_AUTH, "agent login");
}

static int open_socket(const char *to_host, int to_port) {
    char service[16];
    struct addrinfo hints, *found = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof service, "%d", to_port);
    if (getaddrinfo(to_host, service, &hints, &found) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *address = found; address && fd < 0; address = address->ai_next) {
        fd = socket(address->ai_family, address->ai_socktype, address->ai_protocol);
        if (fd >= 0 && connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    return fd;
}

/* `length` bytes as unpadded base64, as OpenSSH prints fingerprints. */
static void print_base64(const unsigned char *bytes, size_t length) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < length; i += 3) {
        unsigned long group = (unsigned long)bytes[i] << 16;
        if (i + 1 < length) group |= (unsigned long)bytes[i + 1] << 8;
        if (i + 2 < length) group |= bytes[i + 2];
        size_t digits = length - i >= 3 ? 4 : length - i + 1;
        for (size_t j = 0; j < digits; j++) fputc(alphabet[(group >> (18 - 6 * j)) & 63], stderr);
    }
}

static int connect_and_login(void) {
    sock = open_socket(host, port);
    if (sock < 0) return fail(FAIL_CONNECT, "connect");
    session = libssh2_session_init();
    if (!session) return fail(FAIL_CONNECT, "session init");
    for (int i = 0; i < pref_count; i++) {
        const char *equals = strchr(prefs[i], '=');
        /* libssh2 offers compression only when asked to */
        if (strncmp(prefs[i], "comp", 4) == 0) libssh2_session_flag(session, LIBSSH2_FLAG_COMPRESS, 1);
        const int *types = equals ? method_types(prefs[i], (size_t)(equals - prefs[i])) : NULL;
        if (!types) return fail(FAIL_USAGE, "unknown method type");
        for (int j = 0; j < 2 && types[j] >= 0; j++) {
            if (libssh2_session_method_pref(session, types[j], equals + 1)) return fail(FAIL_CONNECT, prefs[i]);
        }
    }
    if (libssh2_session_handshake(session, sock)) return fail(FAIL_CONNECT, "handshake");
    fprintf(stderr, "METHODS kex=%s hostkey=%s crypt=%s,%s mac=%s,%s comp=%s,%s\n",
            libssh2_session_methods(session, LIBSSH2_METHOD_KEX),
            libssh2_session_methods(session, LIBSSH2_METHOD_HOSTKEY),
            libssh2_session_methods(session, LIBSSH2_METHOD_CRYPT_CS),
            libssh2_session_methods(session, LIBSSH2_METHOD_CRYPT_SC),
            libssh2_session_methods(session, LIBSSH2_METHOD_MAC_CS),
            libssh2_session_methods(session, LIBSSH2_METHOD_MAC_SC),
            libssh2_session_methods(session, LIBSSH2_METHOD_COMP_CS),
            libssh2_session_methods(session, LIBSSH2_METHOD_COMP_SC));
    size_t hostkey_length = 0;
    int hostkey_type = 0;
    if (!libssh2_session_hostkey(session, &hostkey_length, &hostkey_type)) return fail(FAIL_CONNECT, "host key");
    const char *hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256);
    if (!hash) return fail(FAIL_CONNECT, "host key hash");
    fprintf(stderr, "HOSTKEY SHA256:");
    print_base64((const unsigned char *)hash, 32);
    fprintf(stderr, "\n");
    const char *methods = libssh2_userauth_list(session, user, (unsigned int)strlen(user));
    fprintf(stderr, "AUTH-METHODS %s\n", methods ? methods : "(none)");
    if (libssh2_userauth_authenticated(session)) return configure_keepalive();
    int failed = 1;
    if (use_agent) return login_with_agent();
    if (key_file) {
        failed = libssh2_userauth_publickey_fromfile_ex(session, user, (unsigned int)strlen(user), NULL, key_file, NULL);
    } else if (password) {
        failed = libssh2_userauth_password_ex(session, user, (unsigned int)strlen(user), password,
                                              (unsigned int)strlen(password), NULL);
    } else if (kbd_answer) {
        failed = libssh2_userauth_keyboard_interactive_ex(session, user, (unsigned int)strlen(user), kbd_callback);
    }
    if (failed) return fail(FAIL_AUTH, "login");
    return configure_keepalive();
}

/* ---- sessions ---- */

/* Runs `command`, or a shell when it is NULL. */
static int run_exec(const char *command) {
    LIBSSH2_CHANNEL *channel = libssh2_channel_open_session(session);
    if (!channel) return fail(FAIL_CHANNEL, "open session");
    for (int i = 0; i < env_count; i++) {
        const char *equals = strchr(envs[i], '=');
        if (!equals) return fail(FAIL_USAGE, "env without =");
        if (libssh2_channel_setenv_ex(channel, envs[i], (unsigned int)(equals - envs[i]), equals + 1,
                                      (unsigned int)strlen(equals + 1))) {
            return fail(FAIL_CHANNEL, "setenv");
        }
    }
    if (forward_agent && libssh2_channel_request_auth_agent(channel)) return fail(FAIL_CHANNEL, "auth-agent-req");
    if (term) {
        /* RFC 4254 §8: opcode byte, uint32 value; 0 ends. VINTR (1) = ^C, ECHO (53) = 0,
         * TTY_OP_ISPEED (128) and TTY_OP_OSPEED (129) = 38400. */
        static const unsigned char modes[] = {1,   0, 0, 0, 3,    53, 0, 0, 0, 0,    128, 0, 0, 0x96, 0,
                                              129, 0, 0, 0x96, 0, 0};
        if (libssh2_channel_request_pty_ex(channel, term, (unsigned int)strlen(term),
                                           no_modes ? NULL : (const char *)modes, no_modes ? 0 : sizeof modes,
                                           cols, rows, 0, 0)) {
            return fail(FAIL_CHANNEL, "pty");
        }
    }
    if (command ? libssh2_channel_exec(channel, command) : libssh2_channel_shell(channel)) {
        return fail(FAIL_CHANNEL, command ? "exec" : "shell");
    }
    if (new_cols > 0 && libssh2_channel_request_pty_size(channel, new_cols, new_rows)) {
        return fail(FAIL_CHANNEL, "window-change");
    }
    int out = 1;
    if (output_file) {
        out = open(output_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0) return fail(FAIL_LOCAL, output_file);
    }
    if (relay(channel, 0, out, 2, 0) < 0) return FAIL_CHANNEL;
    if (out != 1) close(out);
    int status = libssh2_channel_get_exit_status(channel);
    char *signal_name = NULL;
    size_t signal_length = 0;
    libssh2_channel_get_exit_signal(channel, &signal_name, &signal_length, NULL, NULL, NULL, NULL);
    fprintf(stderr, "EXIT-STATUS %d\n", status);
    if (signal_name) {
        fprintf(stderr, "EXIT-SIGNAL %.*s\n", (int)signal_length, signal_name);
        libssh2_free(session, signal_name);
        status = 128;
    }
    libssh2_channel_free(channel);
    return status;
}

static int run_multi(int count, const char *command) {
    LIBSSH2_CHANNEL *channels[64];
    unsigned long long bytes[64];
    int done[64];
    char buffer[32768];
    int opened = 0;
    if (count > 64) return FAIL_USAGE;
    for (; opened < count; opened++) {
        channels[opened] = libssh2_channel_open_session(session);
        if (!channels[opened]) {
            char *message = NULL;
            libssh2_session_last_error(session, &message, NULL, 0);
            printf("REFUSED %d %s\n", opened, message ? message : "");
            break;
        }
        if (libssh2_channel_exec(channels[opened], command)) return fail(FAIL_CHANNEL, "exec");
        bytes[opened] = 0;
        done[opened] = 0;
    }
    libssh2_session_set_blocking(session, 0);
    for (int remaining = opened; remaining > 0;) {
        int progress = 0;
        for (int i = 0; i < opened; i++) {
            if (done[i]) continue;
            ssize_t got = libssh2_channel_read(channels[i], buffer, sizeof buffer);
            if (got > 0) {
                bytes[i] += (unsigned long long)got;
                progress = 1;
            } else if (got < 0 && got != LIBSSH2_ERROR_EAGAIN) {
                return fail(FAIL_CHANNEL, "channel read");
            } else if (libssh2_channel_eof(channels[i])) {
                done[i] = 1;
                remaining--;
                progress = 1;
            }
        }
        if (!progress) wait_socket(-1);
    }
    libssh2_session_set_blocking(session, 1);
    for (int i = 0; i < opened; i++) {
        libssh2_channel_close(channels[i]);
        libssh2_channel_wait_closed(channels[i]);
        printf("CHANNEL %d bytes=%llu status=%d\n", i, bytes[i], libssh2_channel_get_exit_status(channels[i]));
        libssh2_channel_free(channels[i]);
    }
    return 0;
}

static int run_direct_tcpip(const char *to_host, int to_port) {
    LIBSSH2_CHANNEL *channel = libssh2_channel_direct_tcpip_ex(session, to_host, to_port, "127.0.0.1", 50000);
    if (!channel) return fail(FAIL_CHANNEL, "direct-tcpip");
    if (relay(channel, 0, 1, 2, 0) < 0) return FAIL_CHANNEL;
    libssh2_channel_free(channel);
    return 0;
}

static int run_tcpip_forward(const char *bind_host, const char *to_host, int to_port) {
    int bound = 0;
    LIBSSH2_LISTENER *listener = libssh2_channel_forward_listen_ex(session, bind_host, 0, &bound, 4);
    if (!listener) return fail(FAIL_CHANNEL, "tcpip-forward");
    printf("%d\n", bound);
    fflush(stdout);
    LIBSSH2_CHANNEL *channel = libssh2_channel_forward_accept(listener);
    if (!channel) return fail(FAIL_CHANNEL, "forward accept");
    int target = open_socket(to_host, to_port);
    if (target < 0) return fail(FAIL_LOCAL, "connect to target");
    if (relay(channel, target, target, 2, 1) < 0) return FAIL_CHANNEL;
    close(target);
    libssh2_channel_free(channel);
    if (libssh2_channel_forward_cancel(listener)) return fail(FAIL_CHANNEL, "cancel-tcpip-forward");
    fprintf(stderr, "FORWARD-DONE from-server=%llu to-server=%llu\n", relayed_from_server, relayed_to_server);
    return 0;
}

/* ---- SFTP ---- */

static void print_attributes(const char *label, const LIBSSH2_SFTP_ATTRIBUTES *attributes) {
    printf("%s size=%llu mode=%lo type=%s\n", label, (unsigned long long)attributes->filesize,
           attributes->permissions & 07777,
           LIBSSH2_SFTP_S_ISDIR(attributes->permissions)   ? "dir"
           : LIBSSH2_SFTP_S_ISLNK(attributes->permissions) ? "link"
           : LIBSSH2_SFTP_S_ISREG(attributes->permissions) ? "file"
                                                           : "other");
}

static int sftp_fail(LIBSSH2_SFTP *sftp, const char *what) {
    fprintf(stderr, "SFTP-STATUS %lu\n", libssh2_sftp_last_error(sftp));
    return fail(FAIL_SFTP, what);
}

/* Writes all of `local` to `handle` and closes `local`; nonzero after reporting a failed write. */
static int copy_to_sftp(LIBSSH2_SFTP *sftp, int local, LIBSSH2_SFTP_HANDLE *handle) {
    char buffer[65536];
    ssize_t count_read;
    while ((count_read = read(local, buffer, sizeof buffer)) > 0) {
        for (ssize_t offset = 0; offset < count_read;) {
            ssize_t written = libssh2_sftp_write(handle, buffer + offset, (size_t)(count_read - offset));
            if (written < 0) {
                close(local);
                return sftp_fail(sftp, "write");
            }
            offset += written;
        }
    }
    close(local);
    return 0;
}

static int run_sftp(const char *command, char **arguments, int count) {
    LIBSSH2_SFTP *sftp = libssh2_sftp_init(session);
    if (!sftp) return fail(FAIL_SFTP, "sftp init");
    char buffer[65536];
    const char *a = count > 0 ? arguments[0] : NULL, *b = count > 1 ? arguments[1] : NULL;
    int result = 0;
    if (strcmp(command, "sftp-put") == 0 && b) {
        int local = open(a, O_RDONLY);
        if (local < 0) return fail(FAIL_LOCAL, a);
        LIBSSH2_SFTP_HANDLE *handle = libssh2_sftp_open(
            sftp, b, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, 0644);
        if (!handle) return sftp_fail(sftp, "open for writing");
        if (copy_to_sftp(sftp, local, handle)) return FAIL_SFTP;
        if (libssh2_sftp_close(handle)) return sftp_fail(sftp, "close");
    } else if (strcmp(command, "sftp-append") == 0 && b) {
        int local = open(a, O_RDONLY);
        if (local < 0) return fail(FAIL_LOCAL, a);
        LIBSSH2_SFTP_HANDLE *handle = libssh2_sftp_open(
            sftp, b, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_APPEND, 0644);
        if (!handle) return sftp_fail(sftp, "open for appending");
        if (copy_to_sftp(sftp, local, handle)) return FAIL_SFTP;
        if (libssh2_sftp_fsync(handle)) return sftp_fail(sftp, "fsync");
        LIBSSH2_SFTP_ATTRIBUTES attributes;
        if (libssh2_sftp_fstat(handle, &attributes)) return sftp_fail(sftp, "fstat");
        print_attributes("FSTAT", &attributes);
        if (libssh2_sftp_close(handle)) return sftp_fail(sftp, "close");
    } else if (strcmp(command, "sftp-setstat") == 0 && count == 3) {
        LIBSSH2_SFTP_ATTRIBUTES attributes;
        memset(&attributes, 0, sizeof attributes);
        attributes.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS | LIBSSH2_SFTP_ATTR_ACMODTIME;
        attributes.permissions = strtoul(b, NULL, 8);
        attributes.atime = attributes.mtime = strtoul(arguments[2], NULL, 10);
        if (libssh2_sftp_setstat(sftp, a, &attributes)) return sftp_fail(sftp, "setstat");
        if (libssh2_sftp_stat(sftp, a, &attributes)) return sftp_fail(sftp, "stat");
        printf("MTIME %lu\n", attributes.mtime);
        print_attributes("STAT", &attributes);
    } else if (strcmp(command, "sftp-get") == 0 && b) {
        LIBSSH2_SFTP_HANDLE *handle = libssh2_sftp_open(sftp, a, LIBSSH2_FXF_READ, 0);
        if (!handle) return sftp_fail(sftp, "open for reading");
        int local = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (local < 0) return fail(FAIL_LOCAL, b);
        ssize_t got;
        while ((got = libssh2_sftp_read(handle, buffer, sizeof buffer)) > 0) {
            if (write_all(local, buffer, (size_t)got) < 0) return fail(FAIL_LOCAL, b);
        }
        if (got < 0) return sftp_fail(sftp, "read");
        close(local);
        libssh2_sftp_close(handle);
    } else if (strcmp(command, "sftp-ls") == 0 && a) {
        LIBSSH2_SFTP_HANDLE *handle = libssh2_sftp_opendir(sftp, a);
        if (!handle) return sftp_fail(sftp, "opendir");
        LIBSSH2_SFTP_ATTRIBUTES attributes;
        char longentry[1024];
        int got;
        while ((got = libssh2_sftp_readdir_ex(handle, buffer, sizeof buffer, longentry, sizeof longentry,
                                              &attributes)) > 0) {
            if (strcmp(buffer, ".") == 0 || strcmp(buffer, "..") == 0) continue;
            char label[1100];
            snprintf(label, sizeof label, "ENTRY %s", buffer);
            print_attributes(label, &attributes);
            printf("LONG %s\n", longentry);
        }
        if (got < 0) return sftp_fail(sftp, "readdir");
        libssh2_sftp_closedir(handle);
    } else if (strcmp(command, "sftp-mkdir") == 0 && a) {
        if (libssh2_sftp_mkdir(sftp, a, 0755)) return sftp_fail(sftp, "mkdir");
    } else if (strcmp(command, "sftp-rmdir") == 0 && a) {
        if (libssh2_sftp_rmdir(sftp, a)) return sftp_fail(sftp, "rmdir");
    } else if (strcmp(command, "sftp-rename") == 0 && b) {
        if (libssh2_sftp_rename(sftp, a, b)) return sftp_fail(sftp, "rename");
    } else if (strcmp(command, "sftp-unlink") == 0 && a) {
        if (libssh2_sftp_unlink(sftp, a)) return sftp_fail(sftp, "unlink");
    } else if (strcmp(command, "sftp-symlink") == 0 && b) {
        if (libssh2_sftp_symlink(sftp, a, (char *)b)) return sftp_fail(sftp, "symlink");
    } else if ((strcmp(command, "sftp-readlink") == 0 || strcmp(command, "sftp-realpath") == 0) && a) {
        int got = strcmp(command, "sftp-readlink") == 0 ? libssh2_sftp_readlink(sftp, a, buffer, sizeof buffer - 1)
                                                        : libssh2_sftp_realpath(sftp, a, buffer, sizeof buffer - 1);
        if (got < 0) return sftp_fail(sftp, command);
        printf("%s %.*s\n", strcmp(command, "sftp-readlink") == 0 ? "LINK" : "REAL", got, buffer);
    } else if ((strcmp(command, "sftp-stat") == 0 || strcmp(command, "sftp-lstat") == 0) && a) {
        LIBSSH2_SFTP_ATTRIBUTES attributes;
        int failed = strcmp(command, "sftp-stat") == 0 ? libssh2_sftp_stat(sftp, a, &attributes)
                                                       : libssh2_sftp_lstat(sftp, a, &attributes);
        if (failed) return sftp_fail(sftp, command);
        print_attributes("STAT", &attributes);
    } else if (strcmp(command, "sftp-statvfs") == 0 && a) {
        LIBSSH2_SFTP_STATVFS vfs;
        if (libssh2_sftp_statvfs(sftp, a, strlen(a), &vfs)) return sftp_fail(sftp, "statvfs");
        printf("STATVFS bsize=%llu blocks=%llu namemax=%llu\n", (unsigned long long)vfs.f_bsize,
               (unsigned long long)vfs.f_blocks, (unsigned long long)vfs.f_namemax);
    } else {
        result = FAIL_USAGE;
        fprintf(stderr, "ERROR unknown command or missing arguments: %s\n", command);
    }
    libssh2_sftp_shutdown(sftp);
    return result;
}

/* ---- SCP ---- */

static int run_scp_put(const char *local_path, const char *remote_path) {
    char buffer[65536];
    struct stat info;
    int local = open(local_path, O_RDONLY);
    if (local < 0 || fstat(local, &info) != 0) return fail(FAIL_LOCAL, local_path);
    LIBSSH2_CHANNEL *channel = libssh2_scp_send64(session, remote_path, (int)(info.st_mode & 0777), info.st_size, 0, 0);
    if (!channel) return fail(FAIL_CHANNEL, "scp send");
    ssize_t count;
    while ((count = read(local, buffer, sizeof buffer)) > 0) {
        for (ssize_t offset = 0; offset < count;) {
            ssize_t written = libssh2_channel_write(channel, buffer + offset, (size_t)(count - offset));
            if (written < 0) return fail(FAIL_CHANNEL, "scp write");
            offset += written;
        }
    }
    close(local);
    /* The scp protocol ends a file's data with a zero byte, which scp -t acknowledges; libssh2
     * leaves writing it to the caller. */
    if (libssh2_channel_write(channel, "", 1) != 1) return fail(FAIL_CHANNEL, "scp end of file");
    if (libssh2_channel_send_eof(channel)) return fail(FAIL_CHANNEL, "scp eof");
    if (libssh2_channel_wait_eof(channel)) return fail(FAIL_CHANNEL, "scp wait eof");
    if (libssh2_channel_wait_closed(channel)) return fail(FAIL_CHANNEL, "scp wait closed");
    int status = libssh2_channel_get_exit_status(channel);
    fprintf(stderr, "EXIT-STATUS %d\n", status);
    libssh2_channel_free(channel);
    return status;
}

static int run_scp_get(const char *remote_path, const char *local_path) {
    char buffer[65536];
    libssh2_struct_stat info;
    LIBSSH2_CHANNEL *channel = libssh2_scp_recv2(session, remote_path, &info);
    if (!channel) return fail(FAIL_CHANNEL, "scp recv");
    int local = open(local_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (local < 0) return fail(FAIL_LOCAL, local_path);
    libssh2_struct_stat_size remaining = info.st_size;
    while (remaining > 0) {
        size_t want = remaining < (libssh2_struct_stat_size)sizeof buffer ? (size_t)remaining : sizeof buffer;
        ssize_t count = libssh2_channel_read(channel, buffer, want);
        if (count <= 0) return fail(FAIL_CHANNEL, "scp read");
        if (write_all(local, buffer, (size_t)count) < 0) return fail(FAIL_LOCAL, local_path);
        remaining -= count;
    }
    close(local);
    printf("SCP-MODE %o SIZE %lld\n", (unsigned)(info.st_mode & 0777), (long long)info.st_size);
    libssh2_channel_free(channel);
    return 0;
}

/* ---- main ---- */

static int list_algorithms(const char *type) {
    const int *types = method_types(type, strlen(type));
    if (!types) return fail(FAIL_USAGE, "unknown method type");
    session = libssh2_session_init();
    if (strncmp(type, "comp", 4) == 0) libssh2_session_flag(session, LIBSSH2_FLAG_COMPRESS, 1);
    const char **names = NULL;
    int count = libssh2_session_supported_algs(session, types[0], &names);
    if (count < 0) return fail(FAIL_USAGE, "supported algs");
    for (int i = 0; i < count; i++) printf("%s\n", names[i]);
    libssh2_free(session, names);
    return 0;
}

int main(int argc, char **argv) {
    int option;
    signal(SIGPIPE, SIG_IGN);
    while ((option = getopt(argc, argv, "+H:p:l:i:w:k:aAKm:t:T:s:W:e:o:")) != -1) {
        switch (option) {
        case 'H': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'l': user = optarg; break;
        case 'i': key_file = optarg; break;
        case 'w': password = optarg; break;
        case 'k': kbd_answer = optarg; break;
        case 'a': use_agent = 1; break;
        case 'K': keepalive = 1; break;
        case 'A': forward_agent = 1; break;
        case 'm':
            if (pref_count < 16) prefs[pref_count++] = optarg;
            break;
        case 't': term = optarg; break;
        case 'T':
            term = optarg;
            no_modes = 1;
            break;
        case 's':
            if (sscanf(optarg, "%dx%d", &cols, &rows) != 2) return FAIL_USAGE;
            break;
        case 'W':
            if (sscanf(optarg, "%dx%d", &new_cols, &new_rows) != 2) return FAIL_USAGE;
            break;
        case 'e':
            if (env_count < 16) envs[env_count++] = optarg;
            break;
        case 'o': output_file = optarg; break;
        default: return FAIL_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: %s [options] COMMAND [ARGS...]\n", argv[0]);
        return FAIL_USAGE;
    }
    const char *command = argv[optind];
    char **arguments = argv + optind + 1;
    int count = argc - optind - 1;
    if (libssh2_init(0)) return fail(FAIL_CONNECT, "libssh2_init");
    if (strcmp(command, "algs") == 0) return count == 1 ? list_algorithms(arguments[0]) : FAIL_USAGE;
    if (strcmp(command, "version") == 0) {
        printf("%s\n", libssh2_version(0));
        return 0;
    }

    int result = connect_and_login();
    if (result) return result;
    if (strcmp(command, "exec") == 0 && count == 1) {
        result = run_exec(arguments[0]);
    } else if (strcmp(command, "multi") == 0 && count == 2) {
        result = run_multi(atoi(arguments[0]), arguments[1]);
    } else if (strcmp(command, "shell") == 0 && count == 0) {
        result = run_exec(NULL);
    } else if (strcmp(command, "direct-tcpip") == 0 && count == 2) {
        result = run_direct_tcpip(arguments[0], atoi(arguments[1]));
    } else if (strcmp(command, "tcpip-forward") == 0 && count == 3) {
        result = run_tcpip_forward(arguments[0], arguments[1], atoi(arguments[2]));
    } else if (strncmp(command, "sftp-", 5) == 0) {
        result = run_sftp(command, arguments, count);
    } else if (strcmp(command, "scp-put") == 0 && count == 2) {
        result = run_scp_put(arguments[0], arguments[1]);
    } else if (strcmp(command, "scp-get") == 0 && count == 2) {
        result = run_scp_get(arguments[0], arguments[1]);
    } else {
        fprintf(stderr, "ERROR unknown command or wrong arguments: %s\n", command);
        result = FAIL_USAGE;
    }
    libssh2_session_disconnect(session, "done");
    libssh2_session_free(session);
    close(sock);
    libssh2_exit();
    return result;
}
