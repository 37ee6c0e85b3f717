from mechctl.cli import main

main()
