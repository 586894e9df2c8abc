"""Assignments, the module player, progress, rollups and the live class grid."""
