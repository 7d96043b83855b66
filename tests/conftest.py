"""Settings every test shares.

A shell without job control starts background commands (``make test &``, ``nohup``) with SIGINT
ignored, and every child inherits that: ``pluralign serve`` would then ignore the Ctrl-C the
end-to-end tests send it, and ``pluralign run`` the interrupt it sends itself when its embedded
server dies. The test process therefore restores Python's Ctrl-C handler; a handler (unlike an
ignored signal) is reset to the default in every child, so the children behave as in a
terminal, however the tests were launched.
"""

import signal

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
