"""Running untrusted student code: the isolation policy, the worker process, the wire format.

Import from the modules (`autograder.sandbox.box` for `Sandbox` and `Proxy`): this file stays
empty because the worker imports its own two modules of this package inside the sandbox.
"""
