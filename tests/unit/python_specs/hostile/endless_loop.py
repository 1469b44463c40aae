"""Never ends: stopped by the timeout, at the loop's line."""

while True:
    pass
