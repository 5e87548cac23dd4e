from broadsheet.cli import run

run()
