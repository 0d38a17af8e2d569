"""Run the command line: ``python -m fig_secret_aws``."""

from fig_secret_aws._cli import main

raise SystemExit(main())
