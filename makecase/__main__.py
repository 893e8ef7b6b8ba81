from makecase.cli.commands import main

main()
