//go:build !amd64 || purego

package kernels

var (
	lstmCState   = lstmCStateGo
	lstmCellBack = lstmCellBackGo
	gruCellBack  = gruCellBackGo
)
