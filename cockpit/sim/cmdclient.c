/* cmdclient: runs one fake AIX command of the Migration Cockpit simulator in its command server.
 *
 * See cockpit/sim/cmdserver.py for why and for the protocol. Compiled once per simulated fleet when a
 * C compiler is there (cockpit/sim/cmdfast.py); cmdclient.py does the same in Python otherwise.
 * Without a server to talk to, it runs the command the old way: python -S aixcmd.py ARGS. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;
static volatile sig_atomic_t worker = 0, pending = 0;
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM};

static void forward(int sig) {
    if (worker > 0) kill((pid_t)worker, sig);
    else pending = sig;
}

static void fallback(char **argv) {
    const char *py = getenv("COCKPIT_SIM_PYTHON"), *lib = getenv("COCKPIT_SIM_LIB");
    char script[PATH_MAX];
    int argc = 0;
    while (argv[argc]) argc++;
    char **args = calloc((size_t)argc + 4, sizeof(char *));
    if (!py) py = "python3";
    if (!lib || !args) _exit(127);
    snprintf(script, sizeof script, "%s/aixcmd.py", lib);
    args[0] = (char *)py; args[1] = "-S"; args[2] = script;
    for (int i = 1; i < argc; i++) args[2 + i] = argv[i];
    execvp(py, args);
    perror(py);
    _exit(127);
}

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
    if (*len + n + 1 > *cap) {
        size_t want = (*cap + n + 1) * 2;
        char *grown = realloc(*buf, want);
        if (!grown) return -1;
        *buf = grown; *cap = want;
    }
    memcpy(*buf + *len, s, n);
    (*buf)[*len + n] = '\0';
    *len += n + 1;
    return 0;
}

int main(int argc, char **argv) {
    const char *path = getenv("COCKPIT_SIM_CMDSERVER");
    struct sockaddr_un addr;
    if (argc < 2 || !path || strlen(path) >= sizeof addr.sun_path) fallback(argv);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    strcpy(addr.sun_path, path);
    if (s < 0 || connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) fallback(argv);

    /* cwd \0 ignored-signals \0 argc \0 argv... \0 env... \0, after a 4-byte length */
    char *buf = NULL, cwd[PATH_MAX], ignored[32] = "", count[16];
    size_t len = 4, cap = 0;
    struct sigaction old;
    if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "/");
    if (sigaction(SIGINT, NULL, &old) == 0 && old.sa_handler == SIG_IGN) strcat(ignored, "INT,");
    if (sigaction(SIGQUIT, NULL, &old) == 0 && old.sa_handler == SIG_IGN) strcat(ignored, "QUIT,");
    snprintf(count, sizeof count, "%d", argc - 1);
    buf = malloc(4096); cap = 4096;
    if (!buf) fallback(argv);
    int bad = append(&buf, &len, &cap, cwd, strlen(cwd)) || append(&buf, &len, &cap, ignored, strlen(ignored))
              || append(&buf, &len, &cap, count, strlen(count));
    for (int i = 1; i < argc && !bad; i++) bad = append(&buf, &len, &cap, argv[i], strlen(argv[i]));
    for (char **e = environ; *e && !bad; e++) bad = append(&buf, &len, &cap, *e, strlen(*e));
    if (bad) fallback(argv);
    unsigned int body = (unsigned int)(len - 4);
    buf[0] = (char)(body >> 24); buf[1] = (char)(body >> 16); buf[2] = (char)(body >> 8); buf[3] = (char)body;

    /* Signals that arrive from now on go to the worker (one ignored on entry stays ignored). */
    for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++) {
        struct sigaction sa;
        if (sigaction(forwarded[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = forward;
        sa.sa_flags = SA_RESTART;
        sigaction(forwarded[i], &sa, NULL);
    }

    int fds[3] = {0, 1, 2};
    char control[CMSG_SPACE(sizeof fds)];
    struct iovec iov = {buf, len};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    memset(control, 0, sizeof control);
    msg.msg_iov = &iov; msg.msg_iovlen = 1;
    msg.msg_control = control; msg.msg_controllen = sizeof control;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET; cm->cmsg_type = SCM_RIGHTS; cm->cmsg_len = CMSG_LEN(sizeof fds);
    memcpy(CMSG_DATA(cm), fds, sizeof fds);
    ssize_t sent = sendmsg(s, &msg, 0);
    if (sent < 0) fallback(argv);
    while ((size_t)sent < len) {
        ssize_t more = send(s, buf + sent, len - (size_t)sent, 0);
        if (more < 0 && errno == EINTR) continue;
        if (more <= 0) { fputs("cmdclient: the command server went away\n", stderr); return 127; }
        sent += more;
    }

    char line[64];
    size_t have = 0;
    for (;;) {
        ssize_t n = read(s, line + have, sizeof line - 1 - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { fputs("cmdclient: the command server went away\n", stderr); return 127; }
        have += (size_t)n;
        line[have] = '\0';
        char *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            if (line[0] == 'P') {
                worker = atoi(line + 1);
                if (pending) kill((pid_t)worker, (int)pending);
            } else if (line[0] == 'X') {
                return atoi(line + 1);
            } else if (line[0] == 'S') {
                int sig = atoi(line + 1);
                signal(sig, SIG_DFL);
                kill(getpid(), sig);
                return 128 + sig;
            }
            have -= (size_t)(nl + 1 - line);
            memmove(line, nl + 1, have + 1);
        }
    }
}
