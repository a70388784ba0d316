from plotdigit_cli.cli import main

main()
