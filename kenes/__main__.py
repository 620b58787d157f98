from kenes.cli import main

main()
