"""Entry point for `python -m lifealm`."""

from lifealm.cli import main

if __name__ == "__main__":
    main()
