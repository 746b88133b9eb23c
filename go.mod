module github.com/gexit-dev/gexit

go 1.26.0

require (
	golang.org/x/exp v0.0.0-20261113113407-e3970619a1a4
	pgregory.net/rapid v1.3.0
)

require github.com/anishathalye/porcupine v1.3.1
