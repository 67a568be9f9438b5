module broadside

go 1.26

require golang.org/x/text v0.15.0
