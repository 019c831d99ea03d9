"""``python -m campaignflow``: the command line."""

from campaignflow.cli.main import main

main()
