"""`watch_accessed_variables=False` to train only the decoder, then the encoder's gradient is
asked too: it is `None`, the decoder's is right.

What the user saw (fine-tuning reports: "I froze the encoder with watch_accessed_variables=False
and watch(), now its gradient is None" — or the reverse, expecting both): `[None, 6.0]`.
tapetui should give `enc` the `watch_accessed_off` cause at the tape's line, and `dec` 6.0.
"""

import tensorflow as tf

enc = tf.Variable(2.0, name="enc")
dec = tf.Variable(5.0, name="dec")
with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(dec)
    h = enc * 3.0
    out = h * dec
print(tape.gradient(out, [enc, dec]))  # [None, 6.0]
