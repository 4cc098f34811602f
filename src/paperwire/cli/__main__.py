from paperwire.cli.app import main

main()
