"""Sharing between departments (GX-Dispatch ch. 5–6; GX-Reg art. 19–22; LZ-Rules art. 22–26)."""
