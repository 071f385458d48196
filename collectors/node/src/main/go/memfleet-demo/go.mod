module memfleet.io/demo

go 1.19
