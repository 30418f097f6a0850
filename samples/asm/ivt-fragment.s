// A fragment of an IA-64 interruption vector table, native flavour: the first three vectors and the
// shared page-fault path, written the way a kernel's ivt.S is. `ivtgen asm` and `ia64-linux-gnu-as -x`
// produce the same bytes from it (checked by the tests).
	.text
	.explicit
	.global ia64_ivt
	.align 32768
ia64_ivt:
/////////////////////////////////////////////////////////////////////////////////////////
// 0x0000 Entry 0 (size 64 bundles) VHPT Translation (8,20,47)
vhpt_miss:
	mov r16=cr.ifa				// faulting address
	mov r29=b0				// save b0
	mov r31=pr				// save the predicates
	;;
	thash r17=r16				// VHPT entry for the address
	mov r19=cr.iha
	;;
	ld8 r18=[r17]				// read the PTE
	;;
	tbit.z p6,p7=r18,0			// present?
	;;
(p6)	br.cond.spnt.many page_fault		// no: take the slow path
(p7)	itc.d r18				// yes: insert it
	;;
	mov b0=r29
	mov pr=r31,-2
	;;
	rfi
	;;

	.org ia64_ivt+0x400
/////////////////////////////////////////////////////////////////////////////////////////
// 0x0400 Entry 1 (size 64 bundles) ITLB (21)
itlb_miss:
{ .mii
	mov r16=cr.ifa
	mov r29=b0
	mov r31=pr ;;
}
{ .mmi
	thash r17=r16
	mov r20=cr.itir
	nop.i 0 ;;
}
{ .mmi
	ld8 r18=[r17] ;;
	nop.m 0
	tbit.z p6,p7=r18,0 ;;
}
{ .mib
(p6)	nop.m 0
	nop.i 0
(p6)	br.cond.spnt.many page_fault ;;
}
{ .mmi
(p7)	itc.i r18 ;;
	nop.m 0
	nop.i 0 ;;
}
{ .mib
	nop.m 0
	mov pr=r31,-2
	br.sptk.many 1f ;;
}
1:
{ .mib
	nop.m 0
	nop.i 0
	rfi ;;
}

	.org ia64_ivt+0x800
/////////////////////////////////////////////////////////////////////////////////////////
// 0x0800 Entry 2 (size 64 bundles) DTLB (9,48)
dtlb_miss:
	mov r16=cr.ifa
	movl r18=0x8000000000000000		// region 4 base for the identity map
	;;
	cmp.geu p6,p7=r16,r18
	;;
(p6)	br.cond.dptk.many page_fault
	rsm psr.dt
	;;
	srlz.d
	br.sptk.many page_fault
	;;

	.org ia64_ivt+0x8000
// Out-of-line: the shared page-fault path.
page_fault:
	ssm psr.dt
	;;
	srlz.i
	;;
	mov r19=cr.isr
	mov r20=cr.iip
	;;
	alloc r14=ar.pfs,0,2,1,0
	;;
	brl.call.sptk.many b0=page_fault_handler
	;;
page_fault_handler:
	br.ret.sptk.many b0
	;;
