"""The 三亮 plate renderer: layout as data, a pure function from plain data to PNG/PDF bytes.

Not written yet: it arrives with the plates issue. It will know nothing of HTTP or the database.
"""
