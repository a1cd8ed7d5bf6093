"""``python -m loyalty``."""

from loyalty.app import main

main()
