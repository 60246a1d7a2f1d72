import CaravanCLI

CaravanCommand.runMain()
