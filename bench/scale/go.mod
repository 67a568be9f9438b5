module scale

go 1.25
