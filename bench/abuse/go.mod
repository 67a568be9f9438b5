module abuse

go 1.25
