#include "shim/cli/signal_forwarding.hpp"

#include <signal.h>

#include <initializer_list>

namespace plugrt::cli {
namespace {

volatile sig_atomic_t g_target = 0;

void forward(int sig) {
    if (g_target > 0) {
        ::kill(g_target, sig);
    }
}

}  // namespace

void forward_signals_to(pid_t pid) {
    g_target = pid;
    struct sigaction action {};
    action.sa_handler = forward;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) {
        ::sigaction(sig, &action, nullptr);
    }
}

}  // namespace plugrt::cli
