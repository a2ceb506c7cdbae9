// Command register keeps a council's information-security incident
// register as a Git repository and publishes it as a static site.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], stdio()))
}
