"""The agent's CModule fast path (redirect.c) compiled natively under ASan/UBSan and checked
against the Python reference without Frida (test_fastpath_fuzz), and the escape that found
checked again in a real program under the real agent (test_agent_relative)."""
