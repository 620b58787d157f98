"""Custody of the field keys: wrapped under a master key that k of n trustees hold in shares.

The server keeps only the wrapped keys (`store`, a file under var/custody/). It starts
sealed; `kenes unseal` hands k shares to the key holder (`holder`, one small process on a
unix socket), which alone rebuilds the master, unwraps the field keys and keeps them in its
memory. Web workers and the task worker fetch the unwrapped keys from it (`client`) and drop
them the moment `kenes seal` tells the holder to forget them. The pure crypto (Shamir
sharing, wrapping) lives in kenes.core.custody; docs/custody.md says why it is built so.
"""
