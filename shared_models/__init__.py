"""What device and server must agree on: domain, clock, merge rule and sync protocol.

Imports nothing of ours and does no I/O. Modules:

* ``communities``, ``services``, ``enums`` — the domain's vocabularies;
* ``records`` — one SQLModel definition per synced kind, with validation;
* ``messages``, ``validators`` — readable validation messages (uk, en) and field types;
* ``clock`` — the hybrid logical clock;
* ``merge`` — the per-field merge rule with conflicts instead of silent loss;
* ``changes`` — edits of models as field writes, merged states back to models;
* ``protocol`` — the wire format of push and pull.
"""
