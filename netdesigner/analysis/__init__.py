"""Analysis of trained weights, without Qt: the loss landscape (``landscape``) and the
curvature at a point (``sharpness``). Everything here works on weight *snapshots*
(``Trainer.snapshot()``) and private copies of the module, never on tensors an optimizer is
changing (DESIGN rule 6). Torch is imported inside the functions (DESIGN rule 8)."""
