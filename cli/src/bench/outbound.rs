//! Pack confirm, load confirm and label generation on the benchmark device. Each pick leaves one
//! towel in its own tote at staging; a carton is built for the order outside the timed part (it
//! mints an SSCC), then the pack of the tote's towel into it and the load of the carton at the
//! dock door are timed, as is reading a carton back and writing its GS1 label in ZPL.

use std::time::{Duration, Instant};

use dockhand_core::packing::{self, BuildUnit, PackGoods, UnitKind};
use dockhand_core::shipping::{self, LoadUnit};
use dockhand_core::{Error, ScannedGoods, sample};
use uuid::Uuid;

use super::Device;

/// The order every bench pick is for.
pub(super) const ORDER: &str = "BENCH";

fn bench_error(what: &str) -> Error {
    Error::invalid("bench", what.to_string())
}

impl Device {
    /// Packs the towel of an unpacked tote into a new carton of the order.
    pub(super) fn pack(&self) -> Result<Duration, Error> {
        let tote = self
            .totes
            .borrow_mut()
            .pop()
            .ok_or_else(|| bench_error("no tote left to pack: more picks than packs"))?;
        let built = packing::build_unit(
            &self.store,
            &BuildUnit {
                op_id: Uuid::now_v7(),
                operator: "bob".into(),
                kind: UnitKind::Carton,
                order_ref: Some(ORDER.into()),
                location: "STAGE-01".into(),
            },
        )?;
        let cmd = PackGoods {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            lpn: built.unit.lpn.clone(),
            from_tote: Some(tote),
            scan: ScannedGoods::barcode(sample::TOWELS_EA),
            quantity: 1,
        };
        let start = Instant::now();
        packing::pack_goods(&self.store, &cmd)?;
        let took = start.elapsed();
        self.cartons.borrow_mut().push(built.unit.lpn);
        Ok(took)
    }

    /// Loads a packed carton at the dock door.
    pub(super) fn load(&self) -> Result<Duration, Error> {
        let carton = self
            .cartons
            .borrow_mut()
            .pop()
            .ok_or_else(|| bench_error("no carton left to load: more loads than packs"))?;
        let cmd = LoadUnit {
            op_id: Uuid::now_v7(),
            operator: "bob".into(),
            order_ref: ORDER.into(),
            door: "SHIP-01".into(),
            door_scan: "84".into(),
            lpn: carton.clone(),
        };
        let start = Instant::now();
        shipping::load_unit(&self.store, &cmd)?;
        let took = start.elapsed();
        self.loaded.borrow_mut().push(carton);
        Ok(took)
    }

    /// Reads a loaded carton back and writes its GS1 logistic label.
    pub(super) fn label(&self) -> Result<Duration, Error> {
        let carton = self
            .loaded
            .borrow()
            .last()
            .cloned()
            .ok_or_else(|| bench_error("no carton to label"))?;
        let start = Instant::now();
        let label = self.store.read(|c| {
            packing::label(
                c,
                &carton,
                vec!["dockhand DC".into()],
                vec!["Kiosk Nord".into()],
            )
        })?;
        let took = start.elapsed();
        if label.zpl.is_empty() {
            return Err(bench_error("an empty label"));
        }
        Ok(took)
    }
}

/// Draws a carton's GS1 logistic label as a PNG `n` times: the preview an app shows before
/// printing (`labels::png`), with the ZPL it is drawn from made once.
pub(super) fn pictures(n: usize) -> Result<Vec<Duration>, Error> {
    use dockhand_core::labels::{self, ContentLine, SsccLabel};
    let label = labels::sscc_label(&SsccLabel {
        sscc: "376130321109103420".into(),
        company_prefix_length: Some(7),
        ship_from: vec!["dockhand DC".into(), "1 Quay Road".into()],
        ship_to: vec!["Kiosk Nord".into(), "7 Harbour St".into()],
        order_ref: Some(ORDER.into()),
        contents: vec![ContentLine {
            gtin: Some(sample::TOWELS_EA.into()),
            description: "TOWEL-2P Paper towels".into(),
            quantity: 12,
            lot: None,
            best_before: None,
        }],
        cartons: None,
    })?;
    (0..n)
        .map(|_| {
            let start = Instant::now();
            let png = labels::png(&label)?;
            let took = start.elapsed();
            if png.len() < 1000 {
                return Err(bench_error("a picture of under 1 kB"));
            }
            Ok(took)
        })
        .collect()
}
