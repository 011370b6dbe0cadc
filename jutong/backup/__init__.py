"""Backup and restore of a Jutong installation (LZ-Rules art. 29: important data backed up;
R14): every lake table's current rows, the raw copies of the departments' deliveries and the
governance database, with a checksum manifest (``jutong backup`` / ``jutong restore``)."""

from jutong.backup.core import BackupError, backup, restore, verify_backup

__all__ = ["BackupError", "backup", "restore", "verify_backup"]
