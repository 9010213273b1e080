"""`make run`: start what exists of Poruch locally.

Today only the shared domain exists; the sync server and the field app arrive with their
issues, and this script will start them. It says so rather than pretending.
"""

import sys

from shared_models.communities import COMMUNITIES


def main() -> int:
    """Print what is there to run now; exit non-zero because nothing is served yet."""
    print("Поруч / Poruch — shared domain loaded:", len(COMMUNITIES), "communities.")
    print("The sync server and the field app are not built yet: nothing to serve.")
    return 1


if __name__ == "__main__":
    sys.exit(main())
