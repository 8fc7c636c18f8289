"""The shared supervisor: one process per ``$CLONE_HOME`` instruments the host runs of every
``clone host run`` there, so that N concurrent runs pay for one Frida, one agent and one
Python instead of N (opt-in: ``CLONE_SUPERVISOR=shared``).

- ``client``: a run whose instrumenting is done by the supervisor; this process keeps the
  process tree (``run_shared``, the counterpart of ``hooks.runner.run``);
- ``daemon``: the supervisor process, one thread per run, children routed to their run;
- ``reach``: where it listens (``$CLONE_HOME/run``), and starting it on demand;
- ``build``: which build a process runs (a client talks to a supervisor of its own only);
- ``wire``: the protocol's framing, one JSON object per line.
"""
